"""Permissions declared on fields; enforced here, never inside resolver bodies."""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission
from strawberry.types import Info

from hub.enums import PrincipalKind
from hub.errors import ErrorCode, HubError

__all__ = [
    "BankOrAdmin",
    "CanAskEligibility",
    "CanReadProfiles",
    "CanReportOutcome",
    "HasKind",
    "HasScope",
    "IsAdmin",
    "IsAuthenticated",
    "IsClient",
    "IsSubject",
    "SubjectOrAdmin",
    "require_auth",
]


def require_auth(info: Info) -> None:
    ctx = info.context
    if ctx.auth_error is not None:
        raise ctx.auth_error
    if not ctx.principal.authenticated:
        raise HubError(
            "Authentication required: send 'Authorization: Bearer <token>' "
            "(POST /oauth/token for clients).",
            ErrorCode.UNAUTHENTICATED,
        )


class IsAuthenticated(BasePermission):
    message = "Authentication required."

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        require_auth(info)
        return True


class HasKind(BasePermission):
    """Only principals of the given kinds (after authentication)."""

    kinds: frozenset[PrincipalKind] = frozenset()
    message = "Forbidden."

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        require_auth(info)
        kind = info.context.principal.kind
        if kind not in self.kinds:
            raise HubError(
                f"{info.field_name} is for {', '.join(sorted(self.kinds))} "
                f"principals; you are {kind}.",
                ErrorCode.FORBIDDEN,
            )
        return True


class IsAdmin(HasKind):
    kinds = frozenset({PrincipalKind.ADMIN})


class IsSubject(HasKind):
    kinds = frozenset({PrincipalKind.SUBJECT})


class SubjectOrAdmin(HasKind):
    kinds = frozenset({PrincipalKind.SUBJECT, PrincipalKind.ADMIN})


class BankOrAdmin(HasKind):
    kinds = frozenset({PrincipalKind.BANK, PrincipalKind.ADMIN})


class IsClient(HasKind):
    """Clients that may hold consents (not subjects, not admins)."""

    kinds = frozenset(PrincipalKind) - {PrincipalKind.SUBJECT, PrincipalKind.ADMIN}


class HasScope(BasePermission):
    """The token must carry one of ``scopes`` (RFC 6749 §3.3; interfaces.md).

    Scopes narrow what a token may be used for; consent and the access policy
    still decide which data it may read.
    """

    scopes: frozenset[str] = frozenset()
    message = "Forbidden."

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        require_auth(info)
        held = set(info.context.principal.scopes)
        if not held & self.scopes:
            raise HubError(
                f"{info.field_name} needs a token with scope "
                f"{' or '.join(sorted(self.scopes))}; request it at /oauth/token.",
                ErrorCode.FORBIDDEN,
            )
        return True


class CanReadProfiles(HasScope):
    scopes = frozenset({"profile:read", "subject"})


class CanAskEligibility(HasScope):
    scopes = frozenset({"eligibility", "subject"})


class CanReportOutcome(HasScope):
    scopes = frozenset({"outcome"})
