"""``/console/white-list``: lending white-list applications (信易贷白名单), decided.

Listing and deciding call ``hub.white_list.service.applications`` and
``decide`` as the ``whiteListApplications`` query and ``decideWhiteList``
mutation do (a BLACK-listed enterprise cannot be approved: CONFLICT).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub.auth.principal import Principal
from hub.enums import WhiteListStatus
from hub.white_list import service
from web import sessions
from web.console.guard import admin_page, approves, console_page
from web.work import unit_of_work

__all__ = ["applications", "decide"]


@admin_page
async def applications(request: Request, admin: Principal) -> Response:
    only_pending = request.query_params.get("all") != "1"
    async with unit_of_work(request) as session:
        rows = await service.applications(
            session,
            admin,
            status=WhiteListStatus.PENDING if only_pending else None,
            first=100,
            after_id=None,
        )
    return await console_page(
        request,
        admin,
        "white_list.html",
        "white_list",
        {
            "rows": rows,
            "only_pending": only_pending,
        },
    )


@admin_page
async def decide(request: Request, admin: Principal) -> Response:
    form = request.state.form
    approve = approves(form)
    async with unit_of_work(request) as session:
        await service.decide(
            session,
            request.app.state.hub,
            admin,
            app_id=request.path_params["id"],
            approve=approve,
            note=str(form.get("note") or ""),
        )
    return sessions.redirect(request, "/console/white-list")
