"""OAuth scopes and which principal kinds may hold them (data, not code).

A token request without ``scope`` gets every scope of the client's kind
(RFC 6749 §3.3 allows a documented default); a request naming a scope the
kind may not hold is refused with ``invalid_scope``.  Scopes narrow what a
token may be used for; consent and the access policy still decide what data
it may read.
"""

from __future__ import annotations

from enum import StrEnum

from hub.enums import PrincipalKind

__all__ = ["KIND_SCOPES", "Scope", "allowed_scopes", "parse_scope"]


class Scope(StrEnum):
    PROFILE_READ = "profile:read"  # creditProfile(s)
    ELIGIBILITY = "eligibility"  # eligibility(...)
    OUTCOME = "outcome"  # recordOutcome (放款反馈)
    MONITORING = "monitoring"  # riskAlerts
    SUBJECT = "subject"  # an enterprise acting for itself
    ADMIN = "admin"  # platform administration


KIND_SCOPES: dict[PrincipalKind, frozenset[Scope]] = {
    PrincipalKind.BANK: frozenset(
        {Scope.PROFILE_READ, Scope.ELIGIBILITY, Scope.OUTCOME, Scope.MONITORING}
    ),
    PrincipalKind.GUARANTOR: frozenset(
        {Scope.PROFILE_READ, Scope.ELIGIBILITY, Scope.OUTCOME}
    ),
    PrincipalKind.INSURER: frozenset(
        {Scope.PROFILE_READ, Scope.ELIGIBILITY, Scope.OUTCOME}
    ),
    PrincipalKind.MERCHANT: frozenset({Scope.ELIGIBILITY, Scope.OUTCOME}),
    PrincipalKind.AGENCY: frozenset(
        {Scope.PROFILE_READ, Scope.ELIGIBILITY, Scope.OUTCOME}
    ),
    PrincipalKind.SUBJECT: frozenset({Scope.SUBJECT}),
    PrincipalKind.ADMIN: frozenset({Scope.ADMIN}),
}


def allowed_scopes(kind: PrincipalKind) -> tuple[str, ...]:
    """Every scope of ``kind``, sorted (the default grant)."""
    return tuple(sorted(s.value for s in KIND_SCOPES[kind]))


def parse_scope(requested: str | None, kind: PrincipalKind) -> tuple[str, ...] | None:
    """The granted scopes, or ``None`` when a requested one is not allowed.

    ``requested`` is the space-separated ``scope`` parameter (RFC 6749 §3.3).
    """
    if requested is None:
        return allowed_scopes(kind)
    names = set(requested.split(" ")) - {""}
    allowed = {s.value for s in KIND_SCOPES[kind]}
    if not names or not names <= allowed:
        return None
    return tuple(sorted(names))
