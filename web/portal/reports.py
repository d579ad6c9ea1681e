"""信用报告 — credit reports the enterprise issues about itself: issue (period,
sections, purpose), download (the signed PDF and its verify page), revoke.
The same services as the API's ``issueCreditReport`` / ``revokeCreditReport``.
"""

from __future__ import annotations

from datetime import date, timedelta

from starlette.requests import Request
from starlette.responses import Response

from hub.auth.principal import Principal
from hub.enums import ReportSection
from hub.errors import ErrorCode, HubError
from hub.reports import service
from web import sessions
from web.portal.guard import enterprise_page, form_text, portal_page
from web.work import unit_of_work

__all__ = ["issue_report", "report_list", "revoke_report"]


@enterprise_page
async def report_list(request: Request, me: Principal) -> Response:
    hub = request.app.state.hub
    async with unit_of_work(request) as session:
        rows = await service.own_reports(session, me)
    today = hub.clock.today()
    return await portal_page(
        request,
        me,
        "reports.html",
        "reports",
        {
            "reports": [(r, service.report_urls(hub, r.id)) for r in rows],
            "sections": list(ReportSection),
            "default_from": (today - timedelta(days=365)).isoformat(),
            "default_to": today.isoformat(),
        },
    )


@enterprise_page
async def issue_report(request: Request, me: Principal) -> Response:
    hub = request.app.state.hub
    try:
        start = date.fromisoformat(form_text(request, "from", 10))
        end = date.fromisoformat(form_text(request, "to", 10))
        sections = [
            ReportSection(str(s)) for s in request.state.form.getlist("sections")
        ]
    except ValueError:
        raise HubError(
            "Give the period as two dates (YYYY-MM-DD) and choose known sections.",
            ErrorCode.VALIDATION_ERROR,
        ) from None
    async with unit_of_work(request) as session:
        await service.issue(
            session,
            hub,
            me,
            uscc=str(me.uscc),
            start=start,
            end=end,
            sections=sections,
            purpose=form_text(request, "purpose", 200),
        )
    return sessions.redirect(request, "/portal/reports?done=issued")


@enterprise_page
async def revoke_report(request: Request, me: Principal) -> Response:
    hub = request.app.state.hub
    async with unit_of_work(request) as session:
        await service.revoke(session, hub, me, request.path_params["id"])
    return sessions.redirect(request, "/portal/reports?done=revoked")
