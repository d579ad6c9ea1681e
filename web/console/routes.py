"""The console's routes (mounted by ``web.routes``)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from web.console import (
    audit,
    auth,
    clients,
    consents,
    dashboard,
    imports,
    queues,
    rules,
    white_list,
)

__all__ = ["routes"]

routes: list[BaseRoute] = [
    Route("/console/login", auth.login_form, methods=["GET"]),
    Route("/console/login", auth.login_submit, methods=["POST"]),
    Route("/console/logout", auth.logout, methods=["POST"]),
    Route("/console", dashboard.dashboard, methods=["GET"]),
    Route("/console/clients", clients.clients, methods=["GET"]),
    Route("/console/clients", clients.create, methods=["POST"]),
    Route("/console/consents", consents.consents, methods=["GET"]),
    Route("/console/audit", audit.audit, methods=["GET"]),
    Route("/console/audit/verification", audit.verification, methods=["GET"]),
    Route("/console/audit/verify", audit.verify, methods=["POST"]),
    Route("/console/rules", rules.scenarios, methods=["GET"]),
    Route("/console/rules/{key}", rules.scenario_rules, methods=["GET"]),
    Route("/console/rules/{key}/dry-run", rules.dry_run_rules, methods=["POST"]),
    Route("/console/rules/{key}/publish", rules.publish, methods=["POST"]),
    Route("/console/white-list", white_list.applications, methods=["GET"]),
    Route("/console/white-list/{id}/decide", white_list.decide, methods=["POST"]),
    Route("/console/imports", imports.imports, methods=["GET"]),
    Route("/console/imports/resubmit", imports.resubmit, methods=["POST"]),
    Route("/console/queues", queues.queues, methods=["GET"]),
    Route(
        "/console/objections/{id}/resolve",
        queues.resolve_objection,
        methods=["POST"],
    ),
    Route(
        "/console/list-objections/{id}/resolve",
        queues.resolve_list_objection,
        methods=["POST"],
    ),
    Route("/console/repairs/{id}/decide", queues.decide_repair, methods=["POST"]),
    Route(
        "/console/clients/{id}/{verb:str}",
        clients.action,
        methods=["POST"],
    ),
]
