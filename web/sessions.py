"""Signed-in people of the pages: server-side sessions behind a cookie.

A session is a random token in an HttpOnly, SameSite=Lax cookie (Secure in
production); the hub keeps what it stands for in its cache (in-process, or
Redis when ``HUB_REDIS_URL`` is set, so every worker sees it), under the
token's SHA-256, for ``HUB_WEB_SESSION_SECONDS``.  Logging out deletes it
there, so a copied cookie dies with it.

Every request re-checks the principal (:func:`current`): a client session
(the console's ADMIN) ends as soon as the client is suspended or its secret
rotated — the same status check, cache and rules as bearer tokens
(``hub.auth.status``).  A SUBJECT session (the portal's enterprise) is
re-checked by the ``check`` the caller passes, if any.

Use from a route::

    from web import sessions

    async def login_post(request):
        ...                                  # authenticate, then
        await sessions.login(request, principal, area="console",
                             secret_version=client.secret_version or 0)
        return sessions.redirect(request, "/console")

    async def some_page(request):
        principal = await sessions.current(request, area="console")
        if principal is None:
            return sessions.redirect(request, "/console/login")

    async def logout_post(request):
        await sessions.logout(request, area="console")

Login attempts are limited per client address with the hub's limiter
(:func:`login_allowed`; ``HUB_WEB_LOGIN_RATE_LIMIT_PER_MINUTE``).
Each area has its own cookie (``hub_console``, ``hub_portal``), so one
browser may be signed in to both.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse

from hub.auth.principal import Principal
from hub.auth.scopes import allowed_scopes
from hub.auth.status import client_status
from hub.enums import PrincipalKind
from web import cookies

__all__ = [
    "WebSession",
    "cookie_name",
    "current",
    "login",
    "login_allowed",
    "logout",
    "redirect",
    "session_of",
]

SubjectCheck = Callable[[Request, Principal], Awaitable[bool]]


@dataclass(frozen=True, slots=True)
class WebSession:
    """What a session cookie stands for."""

    area: str
    principal_id: str
    kind: str
    name: str
    uscc: str | None
    #: The client's secret version at login: a rotation ends the session.
    secret_version: int
    #: The CSRF token of every form of this session (``web.csrf``).
    csrf: str
    started: float

    def principal(self) -> Principal:
        return Principal(
            id=self.principal_id,
            kind=PrincipalKind(self.kind),
            name=self.name,
            uscc=self.uscc,
            scopes=allowed_scopes(PrincipalKind(self.kind)),
        )


def cookie_name(area: str) -> str:
    return f"hub_{area}"


def _key(token: str) -> str:
    return "web:session:" + hashlib.sha256(token.encode()).hexdigest()


def _ttl(request: Request) -> int:
    return int(request.app.state.hub.settings.web_session_seconds)


async def login(
    request: Request, principal: Principal, *, area: str, secret_version: int = 0
) -> WebSession:
    """Start a new session for ``principal`` (always a fresh token)."""
    hub = request.app.state.hub
    await logout(request, area=area)
    token = secrets.token_urlsafe(32)
    session = WebSession(
        area=area,
        principal_id=principal.id,
        kind=principal.kind.value,
        name=principal.name,
        uscc=principal.uscc,
        secret_version=secret_version,
        csrf=secrets.token_urlsafe(32),
        started=time.time(),
    )
    body = json.dumps(asdict(session), ensure_ascii=False).encode()
    await hub.cache.set(_key(token), body, _ttl(request))
    cookies.queue(request, cookie_name(area), token, _ttl(request))
    request.state.web_session = session
    return session


async def session_of(request: Request, area: str) -> WebSession | None:
    """The stored session behind this request's cookie (not re-checked)."""
    token = request.cookies.get(cookie_name(area))
    if not token or len(token) > 128:
        return None
    raw = await request.app.state.hub.cache.get(_key(token))
    if raw is None:
        return None
    try:
        data: dict[str, Any] = json.loads(raw)
        session = WebSession(**data)
    except (ValueError, TypeError):
        return None
    return session if session.area == area else None


async def current(
    request: Request, *, area: str, check: SubjectCheck | None = None
) -> Principal | None:
    """The signed-in principal, re-checked now; ``None`` means sign in again.

    A client whose status is no longer ACTIVE, or whose secret was rotated
    since login, ends the session (it is deleted).  For a SUBJECT session
    ``check(request, principal)`` decides.
    """
    session = await session_of(request, area)
    if session is None:
        return None
    principal = session.principal()
    if principal.kind is PrincipalKind.SUBJECT:
        valid = check is None or await check(request, principal)
    else:
        hub = request.app.state.hub
        status = await client_status(
            principal.id, cache=hub.cache, sessionmaker=hub.sessionmaker
        )
        valid = (
            status is not None
            and status.active
            and status.kind == principal.kind.value
            and status.secret_version == session.secret_version
        )
    if not valid:
        await logout(request, area=area)
        return None
    request.state.web_session = session
    return principal


async def logout(request: Request, *, area: str) -> None:
    """End the request's session of ``area`` (if any) and clear its cookie."""
    token = request.cookies.get(cookie_name(area))
    if token:
        await request.app.state.hub.cache.delete(_key(token))
        cookies.queue(request, cookie_name(area), "", 0)
    request.state.web_session = None


async def login_allowed(request: Request, *, area: str) -> tuple[bool, int]:
    """One login attempt from this address: ``(allowed, retry_after_seconds)``."""
    hub = request.app.state.hub
    host = request.client.host if request.client else "unknown"
    limit = hub.settings.web_login_rate_limit_per_minute
    allowed, retry_after = await hub.limiter.hit(
        f"web-login:{area}:{host}", limit, 60.0
    )
    return allowed, max(1, int(retry_after + 0.999))


def redirect(request: Request, url: str) -> RedirectResponse:
    """A 303 to ``url`` carrying the cookies this request queued."""
    response = RedirectResponse(url, status_code=303)
    cookies.apply(request, response)
    return response
