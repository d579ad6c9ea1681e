"""授权请求 and 我的授权: the consent-request inbox and the enterprise's consents.

Approve (as asked, or narrower), reject with a reason; pause, resume, narrow
(amend), revoke; every receipt downloadable as the signed JWS it is.  The
same services as the API's ``approveConsentRequest``, ``pauseConsent`` …
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from hub.auth.clients import client_service
from hub.auth.principal import Principal
from hub.consent import lifecycle
from hub.consent import requests as consent_requests
from hub.consent import service as consents
from hub.consent.active import consent_status
from hub.consent.request_rules import request_status
from hub.enums import ConsentRequestStatus, ConsentStatus, DataCategory
from hub.errors import ErrorCode, HubError
from web import sessions
from web.portal.guard import enterprise_page, form_text, portal_page
from web.work import unit_of_work

__all__ = [
    "answer_request",
    "change_consent",
    "consent_list",
    "receipt",
    "request_inbox",
]

PAGE = 50


async def _names(session: Any, ids: Sequence[str]) -> dict[str, Any]:
    rows = await client_service.by_ids(session, sorted(set(ids)))
    return {c.id: c for c in rows if c is not None}


def _categories(request: Request) -> tuple[DataCategory, ...]:
    chosen = request.state.form.getlist("categories")
    try:
        return tuple(DataCategory(str(c)) for c in chosen)
    except ValueError:
        raise HubError("Unknown data category.", ErrorCode.VALIDATION_ERROR) from None


@enterprise_page
async def request_inbox(request: Request, me: Principal) -> Response:
    hub = request.app.state.hub
    async with unit_of_work(request) as session:
        rows, total, _more = await consent_requests.list_requests(
            session, hub, me, status=None, first=PAGE, after=None
        )
        names = await _names(session, [r.requester_id for r in rows])
    now = hub.clock.now()
    items = [(r, request_status(r, now)) for r in rows]
    return await portal_page(
        request,
        me,
        "requests.html",
        "requests",
        {
            "items": items,
            "total": total,
            "names": names,
            "pending": ConsentRequestStatus.PENDING,
        },
    )


@enterprise_page
async def answer_request(request: Request, me: Principal) -> Response:
    """Approve (``categories`` may narrow what was asked) or reject."""
    hub = request.app.state.hub
    request_id = request.path_params["id"]
    verb = form_text(request, "action", 16)
    async with unit_of_work(request) as session:
        if verb == "approve":
            approval = consent_requests.Approval(
                id=request_id, categories=_categories(request) or None
            )
            await consent_requests.approve(session, hub, me, approval)
        elif verb == "reject":
            reason = form_text(request, "reason", 500)
            if not reason:
                raise HubError(
                    "Say why you reject the request: the requester sees it.",
                    ErrorCode.VALIDATION_ERROR,
                )
            await consent_requests.reject(session, hub, me, request_id, reason)
        else:
            raise HubError("Approve or reject.", ErrorCode.VALIDATION_ERROR)
    return sessions.redirect(request, f"/portal/requests?done={verb}")


@enterprise_page
async def consent_list(request: Request, me: Principal) -> Response:
    hub = request.app.state.hub
    async with unit_of_work(request) as session:
        rows, total, _more = await consents.list_consents(
            session, hub, me, uscc=me.uscc, status=None, first=PAGE, after=None
        )
        names = await _names(session, [c.grantee_id for c in rows])
        receipts = await consents.receipts_of(session, [c.id for c in rows])
    now = hub.clock.now()
    items = [
        (c, consent_status(c, now), len(r)) for c, r in zip(rows, receipts, strict=True)
    ]
    return await portal_page(
        request,
        me,
        "consents.html",
        "consents",
        {
            "items": items,
            "total": total,
            "names": names,
            "status": ConsentStatus,
        },
    )


@enterprise_page
async def change_consent(request: Request, me: Principal) -> Response:
    hub = request.app.state.hub
    consent_id = request.path_params["id"]
    verb = form_text(request, "action", 16)
    async with unit_of_work(request) as session:
        if verb == "pause":
            await lifecycle.pause(session, hub, me, consent_id)
        elif verb == "resume":
            await lifecycle.resume(session, hub, me, consent_id)
        elif verb == "revoke":
            await consents.revoke(session, hub, me, consent_id)
        elif verb == "amend":
            await lifecycle.amend(
                session, hub, me, consent_id, categories=_categories(request)
            )
        else:
            raise HubError(
                "Pause, resume, amend or revoke.", ErrorCode.VALIDATION_ERROR
            )
    return sessions.redirect(request, f"/portal/consents?done={verb}")


@enterprise_page
async def receipt(request: Request, me: Principal) -> Response:
    """One receipt (``n``: 1 the first) of one of my consents, as a .jws file."""
    consent_id = request.path_params["id"]
    n = request.path_params["n"]
    async with unit_of_work(request) as session:
        owned = await lifecycle.owned_consent(session, me, consent_id)
        [found] = await consents.receipts_of(session, [owned.id])
    if not 1 <= n <= len(found):
        raise HubError(f"Consent {consent_id} has no receipt {n}.", ErrorCode.NOT_FOUND)
    return PlainTextResponse(
        found[n - 1],
        media_type="application/jose",
        headers={
            "Content-Disposition": (
                f'attachment; filename="consent-{consent_id}-{n}.jws"'
            ),
            "Cache-Control": "no-store",
        },
    )
