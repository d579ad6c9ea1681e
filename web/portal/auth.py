"""Signing in to the portal: one-time links and OpenID Connect.

``GET /portal/login?token=…`` shows whom the link signs in and a button; the
link is spent by the ``POST`` (so a mail scanner fetching the link does not
use it up).  ``/portal/oidc/start`` (a link) sends the browser to the enterprise
identity provider; ``/portal/oidc/callback`` comes back with the code.  The
pending OpenID Connect login is kept in the hub's cache under its ``state``
(every worker sees it), and the browser holds that state in an HttpOnly
cookie, so a callback only completes in the browser that started it.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hub.errors import HubError
from hub.portal.identity import Enterprise
from hub.portal.links import redeem_link
from hub.portal.oidc import OidcLogin, PendingLogin, oidc_configured
from web import cookies, csrf, sessions, sign_in
from web.errors import error_page, hub_error_page
from web.portal.guard import AREA
from web.render import page
from web.work import unit_of_work

__all__ = [
    "login_form",
    "login_submit",
    "logout",
    "oidc_callback",
    "oidc_start",
]

_OIDC_COOKIE = "hub_portal_oidc"
_OIDC_SECONDS = 600


def _oidc(request: Request) -> OidcLogin | None:
    """The hub's relying party, made once per app (it caches the provider's
    metadata and keys)."""
    settings = request.app.state.hub.settings
    if not oidc_configured(settings):
        return None
    existing = getattr(request.app.state, "portal_oidc", None)
    if existing is None:
        existing = OidcLogin(settings)
        request.app.state.portal_oidc = existing
    return existing


async def _not_configured(request: Request) -> Response:
    return await error_page(
        request,
        status_code=404,
        code="NOT_FOUND",
        message="OpenID Connect sign-in is not configured on this hub.",
    )


async def _signed_in(request: Request, enterprise: Enterprise) -> Response:
    await sessions.login(request, enterprise.principal(), area=AREA)
    return sessions.redirect(request, "/portal")


async def login_form(request: Request) -> Response:
    token = request.query_params.get("token", "")[:200]
    if not token and await sessions.current(request, area=AREA) is not None:
        return sessions.redirect(request, "/portal")
    settings = request.app.state.hub.settings
    return await page(
        request,
        "portal/login.html",
        {
            "token": token,
            "oidc": oidc_configured(settings),
            "links": not settings.production or settings.portal_links_in_production,
        },
    )


async def login_submit(request: Request) -> Response:
    """Spend a one-time link and sign its enterprise in."""
    form = await csrf.checked_form(request)
    refused = await sign_in.rate_limited(request, area=AREA)
    if refused is not None:
        return refused
    token = str(form.get("token") or "")
    hub = request.app.state.hub
    try:
        async with unit_of_work(request) as session:
            enterprise = await redeem_link(session, hub.settings, hub.clock, token)
    except HubError as error:
        return await hub_error_page(request, error)
    return await _signed_in(request, enterprise)


async def oidc_start(request: Request) -> Response:
    """Off to the identity provider.

    A link, not a form: the pages' Content-Security-Policy (``form-action
    'self'``) rightly stops a form from redirecting to another site, and
    starting a sign-in changes nothing here — the callback is what must come
    from this browser (its state cookie).
    """
    refused = await sign_in.rate_limited(request, area=AREA)
    if refused is not None:
        return refused
    rp = _oidc(request)
    if rp is None:
        return await _not_configured(request)
    callback = request.app.state.hub.settings.public_url.rstrip("/")
    try:
        url, pending = await rp.begin(f"{callback}/portal/oidc/callback")
    except HubError as error:
        return await hub_error_page(request, error)
    cache = request.app.state.hub.cache
    await cache.set(
        _cache_key(pending.state),
        json.dumps(pending.as_json()).encode(),
        _OIDC_SECONDS,
    )
    cookies.queue(request, _OIDC_COOKIE, pending.state, _OIDC_SECONDS)
    response = RedirectResponse(url, status_code=303)
    cookies.apply(request, response)
    return response


def _cache_key(state: str) -> str:
    return f"portal:oidc:{state}"


async def oidc_callback(request: Request) -> Response:
    rp = _oidc(request)
    if rp is None:
        return await _not_configured(request)
    params = {k: v[:2048] for k, v in request.query_params.items()}
    mine = request.cookies.get(_OIDC_COOKIE, "")[:128]
    pending = None
    if mine and mine == params.get("state"):
        cache = request.app.state.hub.cache
        raw = await cache.get(_cache_key(mine))
        await cache.delete(_cache_key(mine))  # one callback per login
        if raw is not None:
            pending = PendingLogin.from_json(json.loads(raw))
    cookies.queue(request, _OIDC_COOKIE, "", 0)
    try:
        async with unit_of_work(request) as session:
            enterprise = await rp.finish(session, pending, params)
    except HubError as error:
        return await hub_error_page(request, error)
    return await _signed_in(request, enterprise)


async def logout(request: Request) -> Response:
    return await sign_in.sign_out(request, area=AREA, login_url="/portal/login")
