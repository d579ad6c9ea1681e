"""The console's routes (mounted by ``web.routes``)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from web.console import auth, dashboard

__all__ = ["routes"]

routes: list[BaseRoute] = [
    Route("/console/login", auth.login_form, methods=["GET"]),
    Route("/console/login", auth.login_submit, methods=["POST"]),
    Route("/console/logout", auth.logout, methods=["POST"]),
    Route("/console", dashboard.dashboard, methods=["GET"]),
]
