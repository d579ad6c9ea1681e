"""Consent events for the outbox: written with the change, delivered later.

DESIGN.md "Events go out through an outbox": a change others must hear of is
an ``outbox_events`` row written in the change's own transaction.  The
consent services write ``CONSENT_*`` events for the grantee and
``CONSENT_REQUEST_DECIDED`` for the requester (contract v2 "Who hears
what"); the subject hears of every event about itself as a notice.  Nothing
here delivers: the dispatcher of the events issue reads undispatched rows in
``n`` order (see docs/consent.md).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub.enums import EventType
from hub.models import Consent, ConsentRequest, OutboxEvent, new_id

__all__ = ["consent_event", "request_event"]


def _write(session: AsyncSession, **fields: Any) -> OutboxEvent:
    row = OutboxEvent(id=new_id(), **fields)
    session.add(row)
    return row


def consent_event(
    session: AsyncSession,
    type_: EventType,
    consent: Consent,
    at: datetime,
    *,
    reference: str | None = None,
    **data: Any,
) -> OutboxEvent:
    """A ``CONSENT_*`` event for the consent's grantee (and its subject)."""
    return _write(
        session,
        type=str(type_),
        uscc=consent.subject,
        at=at,
        recipients=[consent.grantee_id],
        consent_id=consent.id,
        consent_request_id=consent.request_id,
        reference=reference,
        data={"purpose": consent.purpose, **data},
    )


def request_event(
    session: AsyncSession, type_: EventType, request: ConsentRequest, at: datetime
) -> OutboxEvent:
    """An event about a consent request, for its requester (and its subject)."""
    return _write(
        session,
        type=str(type_),
        uscc=request.subject,
        at=at,
        recipients=[request.requester_id],
        consent_id=request.consent_id,
        consent_request_id=request.id,
        reference=request.reference,
        data={"purpose": request.purpose, "status": request.status},
    )
