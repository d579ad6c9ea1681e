"""The one door for subject data.

Every read of an enterprise's data — profile, batch item, eligibility,
connector pull — calls :func:`open_door`.  It decides from (principal kind,
purpose, categories, consent) and writes the audit event before any data is
loaded; the caller's unit of work commits it together with the read, before
the response leaves.  Refusals are audited in their own committed
transaction, then raised.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.audit.chain import append_event
from hub.auth.principal import Principal
from hub.db import commit
from hub.enums import DataCategory, PrincipalKind, Purpose
from hub.errors import ErrorCode, HubError
from hub.models import Consent

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = ["Grant", "denied_action", "open_door"]

ALL_CATEGORIES = frozenset(DataCategory)


@dataclass(frozen=True)
class Grant:
    principal: Principal
    uscc: str
    purpose: Purpose | None
    categories: frozenset[DataCategory]
    consent: Consent | None
    audit_event_id: int


def denied_action(action: str) -> str:
    """``profile.read`` is refused as ``profile.denied``; others keep their name."""
    return "profile.denied" if action == "profile.read" else action


async def _active_consent(
    session: AsyncSession, hub: Hub, principal: Principal, uscc: str, purpose: Purpose
) -> Consent | None:
    # Revocation takes effect on the next request: always read the row, never
    # a cached copy (UK Open Banking consent lifecycle; PIPL Art 15).
    now = hub.clock.now()
    stmt = (
        select(Consent)
        .where(
            Consent.subject == uscc,
            Consent.grantee_id == principal.id,
            Consent.purpose == str(purpose),
            Consent.revoked_at.is_(None),
            Consent.expires_at > now,
        )
        .order_by(Consent.granted_at.desc())
        .limit(1)
    )
    return (await session.scalars(stmt)).first()


async def _refuse(
    hub: Hub,
    principal: Principal,
    *,
    uscc: str,
    purpose: Purpose | None,
    action: str,
    categories: Iterable[DataCategory],
    error: HubError,
    detail: dict[str, Any] | None,
) -> HubError:
    async with hub.sessionmaker() as audit_session:
        await append_event(
            audit_session,
            actor=principal,
            action=denied_action(action),
            outcome=f"DENIED:{error.code}",
            at=hub.clock.now(),
            subject=uscc,
            purpose=purpose,
            categories=[str(c) for c in categories],
            detail={**(detail or {}), "requested": action},
        )
        await commit(audit_session)
    return error


async def open_door(
    session: AsyncSession,
    hub: Hub,
    principal: Principal,
    *,
    uscc: str,
    purpose: Purpose | None,
    action: str,
    categories: Iterable[DataCategory] | None = None,
    require_all: bool = False,
    detail: dict[str, Any] | None = None,
) -> Grant:
    """Authorise one access to ``uscc``'s data and audit it (see module doc).

    ``categories=None`` asks for everything the consent covers.  With
    ``require_all`` every requested category must be covered, else
    ``CONSENT_REQUIRED`` names the missing ones.
    """
    wanted = frozenset(categories) if categories is not None else None
    shown = wanted if wanted is not None else frozenset()

    async def refuse(error: HubError) -> HubError:
        return await _refuse(
            hub, principal, uscc=uscc, purpose=purpose, action=action,
            categories=shown, error=error, detail=detail,
        )

    consent: Consent | None = None
    if principal.kind is PrincipalKind.SUBJECT:
        if principal.uscc != uscc:
            raise await refuse(HubError(
                "An enterprise may read only its own data; this token acts for "
                f"{principal.uscc}.", ErrorCode.FORBIDDEN))
        allowed = wanted if wanted is not None else ALL_CATEGORIES
    elif principal.kind is PrincipalKind.ADMIN or purpose is None:
        raise await refuse(HubError(
            "Administrators never read enterprise data for a purpose of their own; "
            "use the audit, objection and repair queues.", ErrorCode.FORBIDDEN))
    elif not hub.policy.may_hold(principal.kind, purpose):
        raise await refuse(HubError(
            f"A {principal.kind} client may not read data for {purpose}; the access "
            f"policy allows {sorted(hub.policy.kinds[principal.kind])}.",
            ErrorCode.FORBIDDEN))
    else:
        consent = await _active_consent(session, hub, principal, uscc, purpose)
        if consent is None:
            needed = sorted(wanted) if wanted else []
            raise await refuse(HubError(
                f"No ACTIVE {purpose} consent from {uscc} to you. Ask the enterprise "
                f"to grant one (purpose {purpose}"
                + (f", categories {', '.join(needed)}" if needed else "")
                + ").",
                ErrorCode.CONSENT_REQUIRED,
                purpose=str(purpose),
                missingCategories=[str(c) for c in needed],
            ))
        covered = frozenset(DataCategory(c) for c in consent.categories)
        covered &= hub.policy.categories_for(purpose)
        if require_all and wanted is not None and not wanted <= covered:
            missing = sorted(wanted - covered)
            raise await refuse(HubError(
                f"Your {purpose} consent from {uscc} does not cover "
                f"{', '.join(missing)}; ask the enterprise for a consent that does.",
                ErrorCode.CONSENT_REQUIRED,
                purpose=str(purpose),
                missingCategories=[str(c) for c in missing],
            ))
        allowed = covered & wanted if wanted is not None else covered

    event = await append_event(
        session,
        actor=principal,
        action=action,
        outcome="GRANTED",
        at=hub.clock.now(),
        subject=uscc,
        purpose=purpose,
        consent_id=consent.id if consent else None,
        categories=[str(c) for c in allowed],
        detail=detail,
    )
    return Grant(principal, uscc, purpose, frozenset(allowed), consent, event.id)
