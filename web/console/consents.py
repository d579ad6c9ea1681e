"""``/console/consents``: the consents overview and a search by USCC.

The overview counts consents per purpose and grantee by status
(``hub.consent.service.consent_overview``: counts only, no enterprise
named); the list below is the ``consents`` query's
(``list_consents``), narrowed by USCC, purpose, grantee and status.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub.auth.clients import client_service
from hub.auth.principal import Principal
from hub.consent import service
from hub.consent.active import consent_status
from hub.enums import ConsentStatus, Purpose
from hub.errors import ErrorCode, HubError
from hub.uscc import check_uscc
from web.console.guard import admin_page, console_page
from web.work import unit_of_work

__all__ = ["consents"]


def _enum(value: str, enum: type) -> object:
    if not value:
        return None
    try:
        return enum(value)
    except ValueError:
        raise HubError(
            f"Unknown {enum.__name__} {value!r}.", ErrorCode.VALIDATION_ERROR
        ) from None


@admin_page
async def consents(request: Request, admin: Principal) -> Response:
    hub = request.app.state.hub
    q = request.query_params
    uscc = q.get("uscc", "").strip()
    if uscc:
        check_uscc(uscc)
    status = _enum(q.get("status", ""), ConsentStatus)
    purpose = _enum(q.get("purpose", ""), Purpose)
    grantee = q.get("grantee", "").strip() or None
    async with unit_of_work(request) as session:
        overview = await service.consent_overview(session, hub, admin)
        rows, total, more = await service.list_consents(
            session,
            hub,
            admin,
            uscc=uscc or None,
            status=status,  # type: ignore[arg-type]
            first=50,
            after=None,
            purpose=str(purpose) if purpose else None,
            grantee_id=grantee,
        )
        ids = sorted({t.grantee_id for t in overview} | {r.grantee_id for r in rows})
        grantees = {
            i: c.name
            for i, c in zip(ids, await client_service.by_ids(session, ids), strict=True)
            if c is not None
        }
    now = hub.clock.now()
    return await console_page(
        request,
        admin,
        "consents.html",
        "consents",
        {
            "overview": overview,
            "statuses": [s.value for s in ConsentStatus],
            "purposes": [p.value for p in Purpose],
            "grantees": grantees,
            "rows": [(r, consent_status(r, now).value) for r in rows],
            "total": total,
            "more": more,
            "query": {
                "uscc": uscc,
                "status": str(status or ""),
                "purpose": str(purpose or ""),
                "grantee": grantee or "",
            },
        },
    )
