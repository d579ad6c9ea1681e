"""Bearer token → Principal, on every request.

A client's token is only as good as the client: a suspended client is refused
at its next request, not when its token expires.  The status check is one
primary-key lookup of three columns, cached for two seconds in ``hub.cache``
in a way a suspension always wins (see ``hub.auth.status`` for the
measurements and the argument).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub.auth.idp import token_issuer
from hub.auth.principal import Principal
from hub.auth.status import client_status
from hub.auth.tokens import token_secret_version, verify_access_token
from hub.enums import PrincipalKind
from hub.errors import ErrorCode, HubError

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = ["bearer_token", "principal_from_claims", "principal_from_request"]

_REFUSED = "Client is unknown or suspended; ask the platform administrator."
_ROTATED = (
    "The client's secret was rotated after this token was issued; request a new "
    "token at /oauth/token with the new secret."
)


def bearer_token(authorization_header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer`` header (RFC 6750 §2.1)."""
    if not authorization_header or not authorization_header.strip():
        return None
    scheme, _, token = authorization_header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        raise HubError(
            "Send the access token as 'Authorization: Bearer <token>'.",
            ErrorCode.UNAUTHENTICATED,
        )
    return token


async def principal_from_claims(
    claims: dict[str, Any], hub: Hub, *, session: AsyncSession | None = None
) -> Principal:
    """The principal behind verified claims; clients must be ACTIVE now."""
    kind = PrincipalKind(claims["kind"])
    scopes = tuple(str(claims.get("scope", "")).split())
    if kind is PrincipalKind.SUBJECT:
        name = claims.get("name")
        return Principal(
            id=claims["sub"],
            kind=kind,
            name=name if isinstance(name, str) and name else claims["sub"],
            uscc=claims["sub"],
            scopes=scopes,
            token_id=claims["jti"],
        )
    status = await client_status(
        claims["sub"], cache=hub.cache, sessionmaker=hub.sessionmaker, session=session
    )
    if status is None or not status.active or status.kind != kind.value:
        raise HubError(_REFUSED, ErrorCode.UNAUTHENTICATED)
    if token_secret_version(claims) != status.secret_version:
        raise HubError(_ROTATED, ErrorCode.UNAUTHENTICATED)
    return Principal(
        id=claims["sub"],
        kind=kind,
        name=status.name,
        scopes=scopes,
        token_id=claims["jti"],
    )


async def principal_from_request(
    authorization_header: str | None,
    hub: Hub,
    *,
    session: AsyncSession | None = None,
) -> Principal | None:
    """``None`` without a header; a Principal for a good token; else raise.

    Raises ``HubError(UNAUTHENTICATED)`` for a malformed header, a token that
    fails verification, or a client that is unknown, suspended or of another
    kind than its token says.  Pass ``session`` to reuse the request's.

    A token issued by the enterprises' identity provider (``iss`` equal to
    ``HUB_SUBJECT_ISSUER`` while ``HUB_SUBJECT_JWKS_URL`` is set) is verified
    with the provider's keys (:mod:`hub.auth.idp`).
    """
    token = bearer_token(authorization_header)
    if token is None:
        return None
    idp = hub.subject_idp
    if idp is not None and token_issuer(token) == idp.issuer:
        claims = await idp.verify(token)
    else:
        claims = await verify_access_token(hub.keys, hub.settings, hub.clock, token)
    return await principal_from_claims(claims, hub, session=session)
