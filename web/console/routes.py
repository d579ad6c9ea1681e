"""The console's routes (mounted by ``web.routes``)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from web.console import auth, clients, dashboard

__all__ = ["routes"]

routes: list[BaseRoute] = [
    Route("/console/login", auth.login_form, methods=["GET"]),
    Route("/console/login", auth.login_submit, methods=["POST"]),
    Route("/console/logout", auth.logout, methods=["POST"]),
    Route("/console", dashboard.dashboard, methods=["GET"]),
    Route("/console/clients", clients.clients, methods=["GET"]),
    Route("/console/clients", clients.create, methods=["POST"]),
    Route(
        "/console/clients/{id}/{verb:str}",
        clients.action,
        methods=["POST"],
    ),
]
