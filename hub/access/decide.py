"""What the door decides: may this principal touch this enterprise's data,
on this basis, for this purpose, under this consent — and which categories.

Pure functions over the loaded rows (no SQL, no audit); :mod:`hub.access.door`
loads the consent, calls :func:`decide`, and audits the answer.  A consent
decides only while usable (``hub.consent.active.refusal``): a PAUSED or used-up
consent is ``CONSENT_REQUIRED`` with ``extensions.reason``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from hub.auth.principal import Principal
from hub.consent.active import refusal
from hub.enums import AccessBasis, DataCategory, PrincipalKind, Purpose
from hub.errors import ErrorCode, HubError
from hub.models import Consent

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = ["ALL_CATEGORIES", "basis_of", "consent_refusal", "decide", "needs_consent"]

ALL_CATEGORIES = frozenset(DataCategory)


def basis_of(principal: Principal) -> AccessBasis:
    """The usual basis: the subject's own access, else a consent."""
    if principal.kind is PrincipalKind.SUBJECT:
        return AccessBasis.SUBJECT
    return AccessBasis.CONSENT


def needs_consent(
    hub: Hub,
    principal: Principal,
    uscc: str,
    purpose: Purpose | None,
    basis: AccessBasis = AccessBasis.CONSENT,
) -> HubError | None:
    """Refusals that no consent can cure; ``None`` when the basis decides."""
    if basis not in (AccessBasis.CONSENT, AccessBasis.SUBJECT):
        if not hub.policy.allows(basis, principal.kind):
            return HubError(
                f"A {principal.kind} principal may not access enterprise data on "
                f"the basis {basis} (access policy).",
                ErrorCode.FORBIDDEN,
            )
        # A basis other than consent still serves a purpose, which the
        # principal's kind must hold (e.g. STATUTORY for SUPERVISION).
        if purpose is not None and not hub.policy.may_hold(principal.kind, purpose):
            return HubError(
                f"A {principal.kind} principal may not access enterprise data for "
                f"{purpose} (access policy).",
                ErrorCode.FORBIDDEN,
            )
        return None
    if principal.kind is PrincipalKind.SUBJECT:
        if principal.uscc != uscc:
            return HubError(
                "An enterprise may read only its own data; this token acts for "
                f"{principal.uscc}.",
                ErrorCode.FORBIDDEN,
            )
        return None
    if principal.kind is PrincipalKind.ADMIN or purpose is None:
        return HubError(
            "Administrators never read enterprise data for a purpose of their own; "
            "use the audit, objection and repair queues.",
            ErrorCode.FORBIDDEN,
        )
    if not hub.policy.may_hold(principal.kind, purpose):
        return HubError(
            f"A {principal.kind} client may not read data for {purpose}; the access "
            f"policy allows {', '.join(sorted(hub.policy.kinds[principal.kind]))}.",
            ErrorCode.FORBIDDEN,
        )
    if not hub.policy.categories_for(purpose):
        # A purpose with no consentable category rests on law, not on consent
        # (SUPERVISION: the STATUTORY basis, 国办发〔2019〕35号 §七).
        return HubError(
            f"No consent can be given for {purpose}; it is exercised on its "
            "statutory basis (access policy).",
            ErrorCode.FORBIDDEN,
        )
    return None


def consent_refusal(
    purpose: Purpose, uscc: str, consent: Consent | None, reason: str | None
) -> HubError:
    if consent is None:
        return HubError(
            f"No ACTIVE {purpose} consent from {uscc} to you. Ask the enterprise "
            f"for one (requestConsent, purpose {purpose}).",
            ErrorCode.CONSENT_REQUIRED,
            purpose=str(purpose),
            reason="NO_CONSENT",
        )
    what = (
        "is paused by the enterprise; ask it to resume the consent"
        if reason == "PAUSED"
        else f"has no reads left (maxReads {consent.max_reads}); ask the "
        "enterprise for a new consent"
        if reason == "LIMIT_REACHED"
        else f"is {reason}; ask the enterprise for a new one"
    )
    return HubError(
        f"Your {purpose} consent from {uscc} {what}.",
        ErrorCode.CONSENT_REQUIRED,
        purpose=str(purpose),
        reason=reason,
        consentId=consent.id,
    )


def decide(
    hub: Hub,
    principal: Principal,
    uscc: str,
    purpose: Purpose | None,
    consent: Consent | None,
    wanted: frozenset[DataCategory] | None,
    require_all: bool,
    basis: AccessBasis,
    now: datetime,
    pending: int = 0,
    uses: int = 1,
) -> frozenset[DataCategory] | HubError:
    refused = needs_consent(hub, principal, uscc, purpose, basis)
    if refused is not None:
        return refused
    reach = hub.policy.bases[basis].categories
    if reach is not None:
        return reach & wanted if wanted is not None else reach
    if principal.kind is PrincipalKind.SUBJECT:
        return wanted if wanted is not None else ALL_CATEGORIES
    assert purpose is not None
    reason = refusal(consent, now, pending, uses) if consent is not None else None
    if consent is None or reason is not None:
        error = consent_refusal(purpose, uscc, consent, reason)
        # Without a consent every wanted category is missing; a paused or
        # used-up consent still covers what it covers.
        missing = sorted(wanted or ()) if consent is None else []
        error.extra["missingCategories"] = [str(c) for c in missing]
        return error
    covered = frozenset(DataCategory(c) for c in consent.categories)
    covered &= hub.policy.categories_for(purpose)
    if require_all and wanted is not None and not wanted <= covered:
        missing = sorted(wanted - covered)
        return HubError(
            f"Your {purpose} consent from {uscc} does not cover "
            f"{', '.join(missing)}; ask the enterprise for a consent that does.",
            ErrorCode.CONSENT_REQUIRED,
            purpose=str(purpose),
            reason="MISSING_CATEGORIES",
            consentId=consent.id,
            missingCategories=[str(c) for c in missing],
        )
    return covered & wanted if wanted is not None else covered
