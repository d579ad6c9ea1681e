"""The portal's routes (mounted by ``web.routes``)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from web.portal import access, auth, consents, notices, profile, reports, rights

__all__ = ["routes"]

routes: list[BaseRoute] = [
    Route("/portal/login", auth.login_form, methods=["GET"]),
    Route("/portal/login", auth.login_submit, methods=["POST"]),
    Route("/portal/oidc/start", auth.oidc_start, methods=["GET"]),
    Route("/portal/oidc/callback", auth.oidc_callback, methods=["GET"]),
    Route("/portal/logout", auth.logout, methods=["POST"]),
    Route("/portal", profile.profile, methods=["GET"]),
    Route("/portal/requests", consents.request_inbox, methods=["GET"]),
    Route("/portal/requests/{id}", consents.answer_request, methods=["POST"]),
    Route("/portal/consents", consents.consent_list, methods=["GET"]),
    Route("/portal/consents/{id}", consents.change_consent, methods=["POST"]),
    Route(
        "/portal/consents/{id}/receipts/{n:int}.jws",
        consents.receipt,
        methods=["GET"],
    ),
    Route("/portal/access", access.access_log, methods=["GET"]),
    Route("/portal/rights", rights.rights, methods=["GET"]),
    Route("/portal/objections", rights.file_objection, methods=["POST"]),
    Route("/portal/list-objections", rights.file_list_objection, methods=["POST"]),
    Route("/portal/repairs", rights.apply_repair, methods=["POST"]),
    Route("/portal/commitments", rights.make_commitment, methods=["POST"]),
    Route("/portal/notices", notices.notice_list, methods=["GET"]),
    Route("/portal/notices/read", notices.mark_read, methods=["POST"]),
    Route("/portal/reports", reports.report_list, methods=["GET"]),
    Route("/portal/reports", reports.issue_report, methods=["POST"]),
    Route("/portal/reports/{id}/revoke", reports.revoke_report, methods=["POST"]),
]
