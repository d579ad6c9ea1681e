"""通知 — the enterprise's inbox (``hub.events.notices``, as the API's
``notices`` and ``markNoticesRead``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub.auth.principal import Principal
from hub.events import notices as service
from web import sessions
from web.portal.guard import enterprise_page, portal_page
from web.work import unit_of_work

__all__ = ["mark_read", "notice_list"]

PAGE = 50


@enterprise_page
async def notice_list(request: Request, me: Principal) -> Response:
    hub = request.app.state.hub
    unread_only = request.query_params.get("unread") == "1"
    async with unit_of_work(request) as session:
        inbox = await service.list_notices(
            session, hub, me, unread_only=unread_only, first=PAGE, after=None
        )
    return await portal_page(
        request,
        me,
        "notices.html",
        "notices",
        {"inbox": inbox, "unread_only": unread_only},
    )


@enterprise_page
async def mark_read(request: Request, me: Principal) -> Response:
    ids = [str(i)[:32] for i in request.state.form.getlist("ids")][:PAGE]
    hub = request.app.state.hub
    async with unit_of_work(request) as session:
        await service.mark_read(session, hub, me, ids)
    return sessions.redirect(request, "/portal/notices?done=read")
