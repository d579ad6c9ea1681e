"""Consent events for the outbox: written with the change, delivered later.

DESIGN.md "Events go out through an outbox": a change others must hear of is
written in the change's own transaction (:func:`hub.events.outbox.emit`).
The consent services write ``CONSENT_*`` events for the grantee and
``CONSENT_REQUESTED`` / ``CONSENT_REQUEST_DECIDED`` for the requester
(contract v2 "Who hears what"); the subject hears of every event about
itself as a notice.  The dispatcher routes and delivers them after commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from hub.enums import EventType
from hub.events.outbox import emit
from hub.models import Consent, ConsentRequest

__all__ = ["consent_event", "request_event"]


async def consent_event(
    session: AsyncSession,
    type_: EventType,
    consent: Consent,
    at: datetime,
    *,
    reference: str | None = None,
    **_detail: object,
) -> str:
    """A ``CONSENT_*`` event for the consent's grantee (and its subject)."""
    return await emit(
        session,
        type_,
        subject=consent.subject,
        at=at,
        consent_id=consent.id,
        consent_request_id=consent.request_id,
        reference=reference,
        client_id=consent.grantee_id,
    )


async def request_event(
    session: AsyncSession, type_: EventType, request: ConsentRequest, at: datetime
) -> str:
    """An event about a consent request, for its requester (and its subject)."""
    return await emit(
        session,
        type_,
        subject=request.subject,
        at=at,
        consent_id=request.consent_id,
        consent_request_id=request.id,
        reference=request.reference,
        client_id=request.requester_id,
    )
