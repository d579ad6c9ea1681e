"""谁查看了我的数据 — who read my data: the enterprise's access log, filtered.

Every event about the enterprise (reads, refusals, decisions, pulls, consent
changes), newest first, from :func:`hub.audit.service.access_log` — the
service behind the API's ``accessLog`` — with the same filter
(``AccessLogFilter``): client, action, purpose, outcome and days.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from hub.audit import service
from hub.audit.service import AuditQuery
from hub.auth.clients import client_service
from hub.auth.principal import Principal
from hub.clock import CHINA
from hub.enums import Purpose
from hub.errors import ErrorCode, HubError
from web.portal.guard import enterprise_page, portal_page
from web.work import unit_of_work

__all__ = ["access_log"]

PAGE = 50
OUTCOMES = ("GRANTED", "RESTRICTED", "DENIED")
ACTIONS = (
    "profile.read",
    "profile.denied",
    "eligibility.check",
    "connector.fetch",
    "consent.grant",
    "consent.revoke",
)


def _day(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise HubError(
            f"'{name}' must be a date like 2026-11-23.", ErrorCode.VALIDATION_ERROR
        ) from None


def _start(day: date | None) -> datetime | None:
    # Days are China's calendar days, as the enterprise reads them.
    return datetime.combine(day, time(0), tzinfo=CHINA) if day else None


def _filter(request: Request) -> tuple[dict[str, str], AuditQuery]:
    q = request.query_params
    chosen = {
        k: q.get(k, "").strip()[:64]
        for k in ("actor", "action", "purpose", "outcome", "from", "to")
    }
    purpose = chosen["purpose"]
    if purpose and purpose not in Purpose.__members__:
        raise HubError(f"Unknown purpose {purpose!r}.", ErrorCode.VALIDATION_ERROR)
    if chosen["outcome"] and chosen["outcome"] not in OUTCOMES:
        raise HubError(
            f"Outcome is one of {', '.join(OUTCOMES)}.", ErrorCode.VALIDATION_ERROR
        )
    until = _day(chosen["to"], "to")
    narrow = AuditQuery(
        actor_id=chosen["actor"] or None,
        action=chosen["action"] or None,
        purpose=purpose or None,
        outcome=chosen["outcome"] or None,
        at_from=_start(_day(chosen["from"], "from")),
        at_to=_start(until + timedelta(days=1)) if until else None,
    )
    return chosen, narrow


@enterprise_page
async def access_log(request: Request, me: Principal) -> Response:
    chosen, narrow = _filter(request)
    before_raw = request.query_params.get("before", "")
    before = int(before_raw) if before_raw.isdigit() else None
    hub = request.app.state.hub
    async with unit_of_work(request) as session:
        rows, total = await service.access_log(
            session,
            me,
            str(me.uscc),
            PAGE,
            before,
            seal_with=hub.sessionmaker,
            narrow=narrow,
        )
        actors = sorted({r.actor_id for r in rows} | {chosen["actor"]} - {""})
        clients = {
            c.id: c
            for c in await client_service.by_ids(session, actors)
            if c is not None
        }
    shown = rows[:PAGE]
    older = None
    if len(rows) > PAGE and shown[-1].seq is not None:
        older = "?" + urlencode({**chosen, "before": shown[-1].seq})
    return await portal_page(
        request,
        me,
        "access.html",
        "access",
        {
            "events": shown,
            "total": total,
            "clients": clients,
            "chosen": chosen,
            "purposes": list(Purpose.__members__),
            "outcomes": OUTCOMES,
            "actions": ACTIONS,
            "actors": actors,
            "older": older,
            "china": CHINA,
        },
    )
