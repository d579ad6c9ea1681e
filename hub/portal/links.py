"""One-time portal login links, for development and demonstrations.

``xinyi-hub portal link USCC`` prints ``{HUB_PUBLIC_URL}/portal/login?token=…``.
The token is 256 random bits; only its SHA-256 is stored, so a copy of the
database signs nobody in.  A link works once, within
:data:`LINK_TTL`, from any worker (the database decides who used it first).
Production signs in with OpenID Connect instead: links are refused there
unless ``HUB_PORTAL_LINKS_IN_PRODUCTION`` is set.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from urllib.parse import urlencode

from sqlalchemy.ext.asyncio import AsyncSession

from hub.clock import Clock
from hub.errors import ErrorCode, HubError
from hub.portal import repository
from hub.portal.identity import Enterprise, known_enterprise
from hub.settings import Settings

__all__ = ["LINK_TTL", "issue_link", "redeem_link"]

LINK_TTL = timedelta(minutes=15)

_REFUSED_IN_PRODUCTION = (
    "One-time login links are off in production: enterprises sign in with "
    "OpenID Connect (HUB_OIDC_ISSUER). Set HUB_PORTAL_LINKS_IN_PRODUCTION=true "
    "to allow them anyway."
)
_UNUSABLE = (
    "This login link is unknown, already used or expired (links work once, "
    "for 15 minutes). Ask for a new one: xinyi-hub portal link USCC."
)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _allowed(settings: Settings) -> None:
    if settings.production and not settings.portal_links_in_production:
        raise HubError(_REFUSED_IN_PRODUCTION, ErrorCode.FORBIDDEN)


async def issue_link(
    session: AsyncSession, settings: Settings, clock: Clock, uscc: str
) -> str:
    """A new one-time login link for the enterprise ``uscc`` (checked)."""
    _allowed(settings)
    enterprise = await known_enterprise(session, uscc)
    token = secrets.token_urlsafe(32)
    now = clock.now()
    await repository.add_link(
        session,
        token_hash=_digest(token),
        uscc=enterprise.uscc,
        created_at=now,
        expires_at=now + LINK_TTL,
    )
    base = settings.public_url.rstrip("/")
    return f"{base}/portal/login?{urlencode({'token': token})}"


async def redeem_link(
    session: AsyncSession, settings: Settings, clock: Clock, token: str
) -> Enterprise:
    """The enterprise a link signs in; the link is spent.

    Raises ``UNAUTHENTICATED`` for a link that is unknown, used or expired.
    """
    _allowed(settings)
    if not token or len(token) > 200:
        raise HubError(_UNUSABLE, ErrorCode.UNAUTHENTICATED)
    uscc = await repository.use_link(session, _digest(token), clock.now())
    if uscc is None:
        raise HubError(_UNUSABLE, ErrorCode.UNAUTHENTICATED)
    return await known_enterprise(session, uscc)
