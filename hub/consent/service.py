"""Granting, revoking and listing consents.

征信业管理条例 Art 13/14/18/20 and PIPL Art 14/15/23/29: one purpose per
consent, explicit categories, an expiry (at most 365 days), revocation that
takes effect on the next request, and a signed receipt for the subject.
Withdrawal does not undo earlier lawful reads — their audit events stay.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from hub import idempotency
from hub.audit.changes import record_change
from hub.auth.principal import Principal
from hub.auth.tokens import sign_jws
from hub.clock import utc
from hub.consent import repository as repo
from hub.enums import ConsentStatus, DataCategory, PrincipalKind, Purpose
from hub.errors import ErrorCode, HubError
from hub.models import Client, Consent, Entity, new_id

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = ["GrantRequest", "consent_status", "grant", "list_consents", "revoke"]

RECEIPT_TYPE = "consent-receipt+jwt"


@dataclass(frozen=True)
class GrantRequest:
    subject: str
    grantee_id: str
    purpose: Purpose
    categories: tuple[DataCategory, ...]
    expires_at: datetime


def consent_status(consent: Consent, now: datetime) -> ConsentStatus:
    if consent.revoked_at is not None:
        return ConsentStatus.REVOKED
    if utc(consent.expires_at) <= now:
        return ConsentStatus.EXPIRED
    return ConsentStatus.ACTIVE


def _validate(
    hub: Hub, req: GrantRequest, grantee: Client | None, now: datetime
) -> None:
    if grantee is None or not grantee.active:
        raise HubError(
            f"No active client with id {req.grantee_id!r}; use the id printed by "
            "'clients create' (Client.id), not the OAuth client_id.",
            ErrorCode.NOT_FOUND,
        )
    kind = PrincipalKind(grantee.kind)
    if not hub.policy.may_hold(kind, req.purpose):
        raise HubError(
            f"A {kind} client may not hold a {req.purpose} consent; allowed "
            f"purposes: {', '.join(sorted(hub.policy.kinds[kind])) or 'none'}.",
            ErrorCode.FORBIDDEN,
        )
    if not req.categories:
        raise HubError("Name at least one data category.", ErrorCode.VALIDATION_ERROR)
    outside = sorted(set(req.categories) - hub.policy.categories_for(req.purpose))
    if outside:
        raise HubError(
            f"Categories {', '.join(outside)} are not allowed for {req.purpose} "
            "(minimum necessary, PIPL Art 6).",
            ErrorCode.FORBIDDEN,
        )
    expires = utc(req.expires_at)
    limit = now + timedelta(days=hub.settings.max_consent_days)
    if expires <= now:
        raise HubError("expiresAt must be in the future.", ErrorCode.VALIDATION_ERROR)
    if expires > limit:
        raise HubError(
            f"expiresAt may be at most {hub.settings.max_consent_days} days ahead "
            f"(latest {limit.isoformat()}).",
            ErrorCode.VALIDATION_ERROR,
        )


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
            "may grant a consent.",
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
    )
    if request.result_id is not None:
        replayed = await session.get(Consent, request.result_id)
        if replayed is not None:
            return replayed
    now = hub.clock.now()
    if await session.get(Entity, req.subject) is None:
        raise HubError(f"No entity {req.subject} is registered.", ErrorCode.NOT_FOUND)
    grantee = await session.get(Client, req.grantee_id)
    _validate(hub, req, grantee, now)
    categories = sorted({str(c) for c in req.categories})
    consent_id = new_id()
    expires = utc(req.expires_at)
    receipt = sign_jws(
        hub.keys,
        {
            "jti": consent_id,
            "iss": hub.settings.issuer,
            "sub": req.subject,
            "grantee": req.grantee_id,
            "grantee_name": grantee.name if grantee else None,
            "purpose": str(req.purpose),
            "categories": categories,
            "iat": int(now.timestamp()),
            "exp": int(expires.timestamp()),
        },
        typ=RECEIPT_TYPE,
    )
    consent = Consent(
        id=consent_id,
        subject=req.subject,
        grantee_id=req.grantee_id,
        purpose=str(req.purpose),
        categories=categories,
        granted_at=now,
        expires_at=expires,
        granted_by=actor.id,
        receipt=receipt,
    )
    session.add(consent)
    request.remember(session, consent_id, now)
    await record_change(
        session,
        actor=actor,
        action="consent.grant",
        outcome="OK",
        at=now,
        subject=req.subject,
        purpose=str(req.purpose),
        consent_id=consent_id,
        categories=categories,
        detail={
            "grantee": req.grantee_id,
            "expires_at": expires.isoformat(),
            **({"on_behalf": True} if actor.is_admin else {}),
        },
    )
    await session.flush()
    return consent


async def revoke(
    session: AsyncSession, hub: Hub, actor: Principal, consent_id: str
) -> Consent:
    consent = await session.get(Consent, consent_id)
    if consent is None or not (
        actor.is_admin or (actor.is_subject and actor.uscc == consent.subject)
    ):
        # Same answer whether it exists or not: ids are not an oracle.
        raise HubError(f"No consent {consent_id!r} of yours.", ErrorCode.NOT_FOUND)
    now = hub.clock.now()
    status = consent_status(consent, now)
    if status is ConsentStatus.REVOKED:
        return consent  # revoking twice is a no-op
    if status is ConsentStatus.EXPIRED:
        raise HubError("This consent has already expired.", ErrorCode.CONFLICT)
    consent.revoked_at = now
    await record_change(
        session,
        actor=actor,
        action="consent.revoke",
        outcome="OK",
        at=now,
        subject=consent.subject,
        purpose=consent.purpose,
        consent_id=consent.id,
        categories=consent.categories,
        detail={"grantee": consent.grantee_id},
    )
    await session.flush()
    return consent


async def list_consents(
    session: AsyncSession,
    hub: Hub,
    actor: Principal,
    *,
    uscc: str | None,
    status: ConsentStatus | None,
    first: int,
    after: tuple[str, str] | None,
) -> tuple[list[Consent], int, bool]:
    """Subjects see their own; clients what was granted to them; admins all."""
    now = hub.clock.now()
    if actor.is_subject:
        if uscc is not None and uscc != actor.uscc:
            raise HubError("You may list only your own consents.", ErrorCode.FORBIDDEN)
        flt = repo.ConsentFilter(subject=actor.uscc, status=status, now=now)
    elif actor.is_admin:
        flt = repo.ConsentFilter(subject=uscc, status=status, now=now)
    else:
        flt = repo.ConsentFilter(
            subject=uscc, grantee_id=actor.id, status=status, now=now
        )
    rows = await repo.page(session, flt, first, after)
    total = await repo.count(session, flt)
    return rows[:first], total, len(rows) > first
