"""Granting, revoking and listing consents.

征信业管理条例 Art 13/14/18/20 and PIPL Art 14/15/23/29: one purpose per
consent, explicit categories, an expiry (at most 365 days), revocation that
takes effect on the next request, and a signed receipt for the subject.
Withdrawal does not undo earlier lawful reads — their audit events stay.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hub import idempotency
from hub.auth.principal import Principal
from hub.clock import utc
from hub.consent import repository as repo
from hub.consent.active import consent_status
from hub.consent.fair_use import Terms, check_expiry, check_terms
from hub.consent.lifecycle import (
    end_consent,
    end_for_client,
    owned_consent,
    record,
    supersede,
)
from hub.enums import (
    ConsentEndReason,
    ConsentStatus,
    DataCategory,
    PrincipalKind,
    Purpose,
    ReceiptEvent,
)
from hub.errors import ErrorCode, HubError
from hub.models import Client, Consent, ConsentRequest, Entity, new_id

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = [
    "ConsentTally",
    "GrantRequest",
    "check_grantee",
    "consent_overview",
    "consent_status",
    "consents_by_ids",
    "create_consent",
    "end_client_consents",
    "grant",
    "list_consents",
    "receipts_of",
    "revoke",
]


@dataclass(frozen=True)
class GrantRequest:
    subject: str
    grantee_id: str
    purpose: Purpose
    categories: tuple[DataCategory, ...]
    expires_at: datetime
    # None: the purpose's fair-use limits (access policy).
    max_reads: int | None = None
    data_life_days: int | None = None


def check_grantee(
    hub: Hub,
    grantee_id: str,
    grantee: Client | None,
    purpose: Purpose,
    categories: Sequence[DataCategory],
) -> Client:
    """An active client that may hold ``purpose``, asking for allowed categories."""
    if grantee is None or not grantee.active:
        raise HubError(
            f"No active client with id {grantee_id!r}; use the id printed by "
            "'clients create' (Client.id), not the OAuth client_id.",
            ErrorCode.NOT_FOUND,
        )
    kind = PrincipalKind(grantee.kind)
    if not hub.policy.may_hold(kind, purpose):
        raise HubError(
            f"A {kind} client may not hold a {purpose} consent; allowed "
            f"purposes: {', '.join(sorted(hub.policy.kinds[kind])) or 'none'}.",
            ErrorCode.FORBIDDEN,
        )
    if not categories:
        raise HubError("Name at least one data category.", ErrorCode.VALIDATION_ERROR)
    outside = sorted(set(categories) - hub.policy.categories_for(purpose))
    if outside:
        raise HubError(
            f"Categories {', '.join(outside)} are not allowed for {purpose} "
            "(minimum necessary, PIPL Art 6).",
            ErrorCode.FORBIDDEN,
        )
    return grantee


async def create_consent(
    session: AsyncSession,
    hub: Hub,
    actor: Principal,
    *,
    subject: str,
    grantee: Client,
    purpose: Purpose,
    categories: Sequence[DataCategory],
    expires: datetime,
    terms: Terms,
    now: datetime,
    request: ConsentRequest | None = None,
    detail: dict[str, Any] | None = None,
) -> Consent:
    """Write a consent (superseding the triple's live one), its grant receipt,
    audit event and outbox event."""
    consent_id = new_id()
    await supersede(
        session,
        hub,
        actor,
        subject=subject,
        grantee_id=grantee.id,
        purpose=str(purpose),
        now=now,
        by=consent_id,
    )
    consent = Consent(
        id=consent_id,
        subject=subject,
        grantee_id=grantee.id,
        purpose=str(purpose),
        categories=sorted({str(c) for c in categories}),
        granted_at=now,
        expires_at=expires,
        granted_by=actor.id,
        receipt="",
        max_reads=terms.max_reads,
        reads_used=0,
        data_life_days=terms.data_life_days,
        request_id=request.id if request is not None else None,
    )
    session.add(consent)
    try:
        await session.flush()
    except IntegrityError as exc:
        if "uq_consent_live" not in str(exc) and "consents.subject" not in str(exc):
            raise
        # Two grants for one (subject, grantee, purpose) raced; the partial
        # unique index let the first one in.
        raise HubError(
            f"Another {purpose} consent to this grantee was granted at the same "
            "moment; list the consents, and retry if you still need this one.",
            ErrorCode.CONFLICT,
        ) from exc
    await record(
        session,
        hub,
        actor,
        consent,
        ReceiptEvent.GRANT,
        now,
        grantee_name=grantee.name,
        reference=request.reference if request is not None else None,
        expires_at=expires.isoformat(),
        **(detail or {}),
    )
    return consent


async def grant(
    session: AsyncSession,
    hub: Hub,
    actor: Principal,
    req: GrantRequest,
    idempotency_key: str | None = None,
) -> Consent:
    """The subject (for itself) or an admin acting on a written consent."""
    if actor.kind is PrincipalKind.SUBJECT and actor.uscc != req.subject:
        raise HubError(
            "An enterprise grants consents only over its own data.", ErrorCode.FORBIDDEN
        )
    if actor.kind not in (PrincipalKind.SUBJECT, PrincipalKind.ADMIN):
        raise HubError(
            "Only the enterprise itself (or an admin recording its written consent) "
            "may grant a consent; clients ask with requestConsent.",
            ErrorCode.FORBIDDEN,
        )
    request = await idempotency.begin(
        session,
        actor.id,
        idempotency_key,
        "consent.grant",
        req.subject,
        req.grantee_id,
        req.purpose,
        sorted(map(str, req.categories)),
        utc(req.expires_at).isoformat(),
        req.max_reads,
        req.data_life_days,
    )
    if request.result_id is not None:
        replayed = await session.get(Consent, request.result_id)
        if replayed is not None:
            return replayed
    now = hub.clock.now()
    if await session.get(Entity, req.subject) is None:
        raise HubError(f"No entity {req.subject} is registered.", ErrorCode.NOT_FOUND)
    grantee = check_grantee(
        hub,
        req.grantee_id,
        await session.get(Client, req.grantee_id),
        req.purpose,
        req.categories,
    )
    expires = utc(req.expires_at)
    check_expiry(hub, req.purpose, expires, now)
    terms = check_terms(
        hub, req.purpose, max_reads=req.max_reads, data_life_days=req.data_life_days
    )
    consent = await create_consent(
        session,
        hub,
        actor,
        subject=req.subject,
        grantee=grantee,
        purpose=req.purpose,
        categories=req.categories,
        expires=expires,
        terms=terms,
        now=now,
        detail={"on_behalf": True} if actor.is_admin else None,
    )
    request.remember(session, consent.id, now)
    return consent


async def revoke(
    session: AsyncSession, hub: Hub, actor: Principal, consent_id: str
) -> Consent:
    """End the consent now (the subject, or an admin on its written word)."""
    consent = await owned_consent(session, actor, consent_id, admin=True)
    now = hub.clock.now()
    status = consent_status(consent, now)
    if status is ConsentStatus.REVOKED:
        return consent  # revoking twice is a no-op
    if status is ConsentStatus.EXPIRED:
        raise HubError("This consent has already expired.", ErrorCode.CONFLICT)
    reason = (
        ConsentEndReason.REVOKED_BY_ADMIN
        if actor.is_admin
        else ConsentEndReason.REVOKED_BY_SUBJECT
    )
    await end_consent(session, hub, actor, consent, reason, now)
    await session.flush()
    return consent


async def end_client_consents(
    session: AsyncSession, hub: Hub, actor: Principal, client_id: str
) -> int:
    """End the consents a suspended client holds (only when an admin asks:
    contract v2 — ``suspendClient`` leaves them otherwise)."""
    if not actor.is_admin:
        raise HubError("Only an admin suspends clients.", ErrorCode.FORBIDDEN)
    return await end_for_client(session, hub, actor, client_id)


async def consents_by_ids(
    session: AsyncSession, ids: Sequence[str]
) -> list[Consent | None]:
    found = await repo.consents_by_ids(session, ids)
    return [found.get(i) for i in ids]


async def receipts_of(
    session: AsyncSession, consent_ids: Sequence[str]
) -> list[list[str]]:
    """Each consent's receipts, oldest first (for ``Consent.receipts``)."""
    found = await repo.receipts_for(session, consent_ids)
    return [found.get(i, []) for i in consent_ids]


@dataclass(frozen=True, slots=True)
class ConsentTally:
    """How many consents one grantee holds for one purpose, by status."""

    purpose: str
    grantee_id: str
    counts: dict[ConsentStatus, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


async def consent_overview(
    session: AsyncSession, hub: Hub, actor: Principal
) -> list[ConsentTally]:
    """Every (purpose, grantee) pair with its consents by status; admins only.

    Counts, no subject data: nothing here names an enterprise.
    """
    if not actor.is_admin:
        raise HubError("Only admins see the consents overview.", ErrorCode.FORBIDDEN)
    found = await repo.counts_by_purpose_and_grantee(session, hub.clock.now())
    pairs = sorted({(p, g) for p, g, _ in found})
    return [
        ConsentTally(p, g, {s: found.get((p, g, s), 0) for s in ConsentStatus})
        for p, g in pairs
    ]


async def list_consents(
    session: AsyncSession,
    hub: Hub,
    actor: Principal,
    *,
    uscc: str | None,
    status: ConsentStatus | None,
    first: int,
    after: tuple[str, str] | None,
    purpose: str | None = None,
    grantee_id: str | None = None,
) -> tuple[list[Consent], int, bool]:
    """Subjects see their own; clients what was granted to them; admins all.

    Admins may also narrow by ``purpose`` and ``grantee_id`` (the console's
    consents overview)."""
    now = hub.clock.now()
    if actor.is_subject:
        if uscc is not None and uscc != actor.uscc:
            raise HubError("You may list only your own consents.", ErrorCode.FORBIDDEN)
        flt = repo.ConsentFilter(subject=actor.uscc, status=status, now=now)
    elif actor.is_admin:
        flt = repo.ConsentFilter(
            subject=uscc,
            grantee_id=grantee_id,
            status=status,
            purpose=purpose,
            now=now,
        )
    else:
        flt = repo.ConsentFilter(
            subject=uscc, grantee_id=actor.id, status=status, now=now
        )
    rows = await repo.page(session, flt, first, after)
    total = await repo.count(session, flt)
    return rows[:first], total, len(rows) > first
