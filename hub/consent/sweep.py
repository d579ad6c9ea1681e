"""What time does to consents, written down once a day by ``maintenance``.

The status of a consent or request is computed at every read (an expired
consent authorises nothing from the second it expires); the sweep records the
ends so others can hear of them:

- consents past ``expires_at`` get ``endReason: EXPIRED``, an ``expire``
  receipt, a ``consent.expire`` audit event and a ``CONSENT_EXPIRED`` event;
- consents expiring within ``HUB_CONSENT_EXPIRY_NOTICE_DAYS`` (14) get one
  ``CONSENT_EXPIRING`` event for the grantee and the subject;
- PENDING requests past their ``expiresAt`` become EXPIRED, with a
  ``CONSENT_REQUEST_DECIDED`` event for the requester.

Idempotent: a second run changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from hub.audit.changes import record_change
from hub.auth.principal import SYSTEM, Principal
from hub.clock import utc
from hub.consent import repository as repo
from hub.consent.events import consent_event, request_event
from hub.consent.lifecycle import end_consent
from hub.enums import ConsentEndReason, ConsentRequestStatus, EventType

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = ["SweepCounts", "sweep"]


@dataclass
class SweepCounts:
    consents_expired: int = 0
    consent_reminders: int = 0
    consent_requests_expired: int = 0


async def sweep(
    session: AsyncSession, hub: Hub, now: datetime, actor: Principal = SYSTEM
) -> SweepCounts:
    counts = SweepCounts()
    for consent in await repo.expired_unended(session, now):
        await end_consent(session, hub, actor, consent, ConsentEndReason.EXPIRED, now)
        counts.consents_expired += 1
    ahead = now + timedelta(days=hub.settings.consent_expiry_notice_days)
    for consent in await repo.expiring_unnoticed(session, now, ahead):
        consent.expiry_notice_at = now
        await consent_event(
            session,
            EventType.CONSENT_EXPIRING,
            consent,
            now,
            expires_at=utc(consent.expires_at).isoformat(),
        )
        counts.consent_reminders += 1
    for request in await repo.overdue_requests(session, now):
        request.status = ConsentRequestStatus.EXPIRED.value
        await request_event(session, EventType.CONSENT_REQUEST_DECIDED, request, now)
        await record_change(
            session,
            actor=actor,
            action="consent.request.expire",
            outcome=ConsentRequestStatus.EXPIRED.value,
            at=now,
            subject=request.subject,
            purpose=request.purpose,
            categories=request.categories,
            detail={"request": request.id, "requester": request.requester_id},
        )
        counts.consent_requests_expired += 1
    return counts
