"""异议与修复 — objections, list objections, repair applications, commitments.

Forms for each right (征信业管理条例 Art 25; 信用修复管理办法) and the lists of
what was filed, with deadlines and answers; the same services as the API's
``fileObjection``, ``fileListObjection``, ``applyRepair``, ``makeCommitment``.
"""

from __future__ import annotations

from datetime import date

from starlette.requests import Request
from starlette.responses import Response

from hub.auth.principal import Principal
from hub.enums import CommitmentKind
from hub.errors import ErrorCode, HubError
from hub.rights import commitments, list_objections, objections, repairs
from hub.rights.objections import is_overdue
from web import sessions
from web.portal.guard import enterprise_page, form_text, portal_page
from web.work import unit_of_work

__all__ = [
    "apply_repair",
    "file_list_objection",
    "file_objection",
    "make_commitment",
    "rights",
]

PAGE = 50


@enterprise_page
async def rights(request: Request, me: Principal) -> Response:
    hub = request.app.state.hub
    async with unit_of_work(request) as session:
        filed = await objections.list_objections(
            session, hub, me, status=None, first=PAGE, after=None
        )
        listed = await list_objections.list_list_objections(
            session, hub, me, status=None, first=PAGE, after=None
        )
        repaired = await repairs.list_repairs(
            session, hub, me, status=None, first=PAGE, after=None
        )
        promised = await commitments.list_commitments(
            session, hub, me, status=None, first=PAGE, after=None
        )
    now = hub.clock.now()
    return await portal_page(
        request,
        me,
        "rights.html",
        "rights",
        {
            "objections": [(c, is_overdue(c.row, now)) for c in filed.items],
            "list_objections": [(c, is_overdue(c.row, now)) for c in listed.items],
            "repairs": repaired.items,
            "commitments": promised.items,
            "commitment_kinds": list(CommitmentKind),
            "record": request.query_params.get("record", "")[:32],
        },
    )


@enterprise_page
async def file_objection(request: Request, me: Principal) -> Response:
    hub = request.app.state.hub
    async with unit_of_work(request) as session:
        await objections.file_objection(
            session,
            hub,
            me,
            record_id=form_text(request, "record_id", 32),
            reason=form_text(request, "reason"),
        )
    return sessions.redirect(request, "/portal/rights?done=objection")


@enterprise_page
async def file_list_objection(request: Request, me: Principal) -> Response:
    hub = request.app.state.hub
    async with unit_of_work(request) as session:
        await list_objections.file_list_objection(
            session,
            hub,
            me,
            membership_id=form_text(request, "membership_id", 32),
            reason=form_text(request, "reason"),
        )
    return sessions.redirect(request, "/portal/rights?done=list_objection")


@enterprise_page
async def apply_repair(request: Request, me: Principal) -> Response:
    hub = request.app.state.hub
    async with unit_of_work(request) as session:
        await repairs.apply_repair(
            session,
            hub,
            me,
            record_id=form_text(request, "record_id", 32),
            method=form_text(request, "method", 32),
            evidence=form_text(request, "evidence"),
        )
    return sessions.redirect(request, "/portal/rights?done=repair")


@enterprise_page
async def make_commitment(request: Request, me: Principal) -> Response:
    hub = request.app.state.hub
    try:
        kind = CommitmentKind(form_text(request, "kind", 32))
        due_on = date.fromisoformat(form_text(request, "due_on", 10))
    except ValueError:
        raise HubError(
            "Choose a kind of commitment and a due date (YYYY-MM-DD).",
            ErrorCode.VALIDATION_ERROR,
        ) from None
    async with unit_of_work(request) as session:
        await commitments.make_commitment(
            session,
            hub,
            me,
            kind=kind,
            content=form_text(request, "content", 4000),
            due_on=due_on,
        )
    return sessions.redirect(request, "/portal/rights?done=commitment")
