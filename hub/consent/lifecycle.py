"""A consent's life after its grant: pause, resume, amend, end.

Contract v2, "Consent requests and the consent lifecycle" (after the UK Open
Banking consent dashboard and India's Account Aggregator artefacts):

- the subject may **pause** a consent (every read under it is then
  ``CONSENT_REQUIRED`` with reason ``PAUSED``) and **resume** it;
- **amend** narrows the categories or brings the expiry forward — never
  widens (``VALIDATION_ERROR``);
- a consent **ends** once: revoked by the subject or an admin, superseded by a
  new grant for the same (subject, grantee, purpose), ended with its client's
  suspension when an admin asks, or expired.

Every change issues a signed receipt (``hub.consent.receipts``), writes an
audit event (``hub.audit.changes``) and an outbox event for the grantee
(``hub.consent.events``), all in the caller's unit of work.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub.audit.changes import record_change
from hub.auth.principal import Principal
from hub.clock import utc
from hub.consent import repository as repo
from hub.consent.active import consent_status
from hub.consent.events import consent_event
from hub.consent.receipts import issue_receipt
from hub.enums import (
    ConsentEndReason,
    ConsentStatus,
    DataCategory,
    EventType,
    ReceiptEvent,
)
from hub.errors import ErrorCode, HubError
from hub.models import Consent

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = [
    "amend",
    "record",
    "end_consent",
    "end_for_client",
    "owned_consent",
    "pause",
    "resume",
    "supersede",
]

_CHANGE = {
    ReceiptEvent.GRANT: EventType.CONSENT_GRANTED,
    ReceiptEvent.AMEND: EventType.CONSENT_AMENDED,
    ReceiptEvent.PAUSE: EventType.CONSENT_PAUSED,
    ReceiptEvent.RESUME: EventType.CONSENT_RESUMED,
    ReceiptEvent.REVOKE: EventType.CONSENT_REVOKED,
    ReceiptEvent.EXPIRE: EventType.CONSENT_EXPIRED,
}


async def record(
    session: AsyncSession,
    hub: Hub,
    actor: Principal,
    consent: Consent,
    event: ReceiptEvent,
    now: datetime,
    grantee_name: str | None = None,
    reference: str | None = None,
    **detail: Any,
) -> None:
    """Receipt, audit event and outbox event of one change of ``consent``."""
    issue_receipt(session, hub, consent, event, now, grantee_name=grantee_name)
    await record_change(
        session,
        actor=actor,
        action=f"consent.{event}",
        outcome="OK",
        at=now,
        subject=consent.subject,
        purpose=consent.purpose,
        consent_id=consent.id,
        categories=consent.categories,
        detail={"grantee": consent.grantee_id, **detail},
    )
    await consent_event(
        session, _CHANGE[event], consent, now, reference=reference, **detail
    )
    # Written now, so the answer's Consent.receipts lists the new receipt.
    await session.flush()


async def owned_consent(
    session: AsyncSession, actor: Principal, consent_id: str, *, admin: bool = False
) -> Consent:
    """The consent, if ``actor`` is its subject (or, with ``admin``, an admin)."""
    consent = await session.get(Consent, consent_id)
    if consent is not None and (
        (actor.is_subject and actor.uscc == consent.subject)
        or (admin and actor.is_admin)
    ):
        return consent
    if consent is not None and consent.grantee_id == actor.id:
        raise HubError(
            "Only the enterprise that granted this consent may change it.",
            ErrorCode.FORBIDDEN,
        )
    # Same answer whether it exists or not: ids are not an oracle.
    raise HubError(f"No consent {consent_id!r} of yours.", ErrorCode.NOT_FOUND)


def _must_be_live(consent: Consent, now: datetime) -> ConsentStatus:
    status = consent_status(consent, now)
    if status in (ConsentStatus.REVOKED, ConsentStatus.EXPIRED):
        raise HubError(
            f"Consent {consent.id} has ended ({status}); ask for a new one.",
            ErrorCode.CONFLICT,
            status=str(status),
        )
    return status


async def end_consent(
    session: AsyncSession,
    hub: Hub,
    actor: Principal,
    consent: Consent,
    reason: ConsentEndReason,
    now: datetime,
    **detail: Any,
) -> None:
    """End a consent that has not ended yet (revocation takes effect on the
    next request; earlier lawful reads keep their audit events)."""
    consent.end_reason, consent.ended_at = str(reason), now
    if reason is ConsentEndReason.EXPIRED:
        await record(session, hub, actor, consent, ReceiptEvent.EXPIRE, now, **detail)
        return
    consent.revoked_at = now
    await record(
        session,
        hub,
        actor,
        consent,
        ReceiptEvent.REVOKE,
        now,
        end_reason=str(reason),
        **detail,
    )


async def supersede(
    session: AsyncSession,
    hub: Hub,
    actor: Principal,
    *,
    subject: str,
    grantee_id: str,
    purpose: str,
    now: datetime,
    by: str,
) -> None:
    """End the triple's live consents before ``by`` is granted: one ACTIVE or
    PAUSED consent per (subject, grantee, purpose)."""
    for old in await repo.live_for(session, subject, grantee_id, purpose):
        if utc(old.expires_at) <= now:
            await end_consent(session, hub, actor, old, ConsentEndReason.EXPIRED, now)
        else:
            await end_consent(
                session, hub, actor, old, ConsentEndReason.SUPERSEDED, now, by=by
            )
    # Written before the new row, so the partial unique index sees one live
    # consent at every moment.
    await session.flush()


async def end_for_client(
    session: AsyncSession, hub: Hub, actor: Principal, client_id: str
) -> int:
    """End every consent held by a suspended client (an admin's choice)."""
    now = hub.clock.now()
    ended = 0
    for consent in await repo.of_grantee(session, client_id):
        if utc(consent.expires_at) <= now:
            await end_consent(
                session, hub, actor, consent, ConsentEndReason.EXPIRED, now
            )
        else:
            await end_consent(
                session, hub, actor, consent, ConsentEndReason.CLIENT_SUSPENDED, now
            )
            ended += 1
    return ended


async def pause(
    session: AsyncSession, hub: Hub, actor: Principal, consent_id: str
) -> Consent:
    """ACTIVE → PAUSED; pausing a paused consent changes nothing."""
    consent = await owned_consent(session, actor, consent_id)
    now = hub.clock.now()
    if _must_be_live(consent, now) is ConsentStatus.ACTIVE:
        consent.paused_at = now
        await record(session, hub, actor, consent, ReceiptEvent.PAUSE, now)
    return consent


async def resume(
    session: AsyncSession, hub: Hub, actor: Principal, consent_id: str
) -> Consent:
    """PAUSED → ACTIVE; resuming an active consent changes nothing."""
    consent = await owned_consent(session, actor, consent_id)
    now = hub.clock.now()
    if _must_be_live(consent, now) is ConsentStatus.PAUSED:
        consent.paused_at = None
        await record(session, hub, actor, consent, ReceiptEvent.RESUME, now)
    return consent


def _narrower(
    current: Iterable[str], categories: Iterable[DataCategory] | None
) -> list[str] | None:
    if categories is None:
        return None
    wanted = sorted({str(c) for c in categories})
    if not wanted:
        raise HubError("Name at least one data category.", ErrorCode.VALIDATION_ERROR)
    wider = sorted(set(wanted) - set(current))
    if wider:
        raise HubError(
            f"An amendment may only narrow a consent; {', '.join(wider)} "
            "is not covered now. Grant a new consent to widen it.",
            ErrorCode.VALIDATION_ERROR,
            widened=wider,
        )
    return wanted


async def amend(
    session: AsyncSession,
    hub: Hub,
    actor: Principal,
    consent_id: str,
    *,
    categories: Iterable[DataCategory] | None = None,
    expires_at: datetime | None = None,
) -> Consent:
    """Narrow the categories and/or bring the expiry forward; a new receipt."""
    if categories is None and expires_at is None:
        raise HubError(
            "Pass categories to narrow, or an earlier expiresAt, or both.",
            ErrorCode.VALIDATION_ERROR,
        )
    consent = await owned_consent(session, actor, consent_id)
    now = hub.clock.now()
    _must_be_live(consent, now)
    narrowed = _narrower(consent.categories, categories)
    expires = utc(expires_at) if expires_at is not None else None
    if expires is not None:
        if expires <= now:
            raise HubError(
                "expiresAt must be in the future; revoke the consent to end it now.",
                ErrorCode.VALIDATION_ERROR,
            )
        if expires > utc(consent.expires_at):
            raise HubError(
                "An amendment may only bring the expiry forward (now "
                f"{utc(consent.expires_at).isoformat()}); grant a new consent to "
                "extend it.",
                ErrorCode.VALIDATION_ERROR,
            )
    changed: dict[str, Any] = {}
    if narrowed is not None and narrowed != sorted(consent.categories):
        changed["from_categories"] = sorted(consent.categories)
        consent.categories = narrowed
    if expires is not None and expires != utc(consent.expires_at):
        changed["from_expires_at"] = utc(consent.expires_at).isoformat()
        consent.expires_at = expires
    if changed:
        await record(session, hub, actor, consent, ReceiptEvent.AMEND, now, **changed)
    return consent
