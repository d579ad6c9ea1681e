"""What the console's and the portal's sign-in pages share.

refused = await sign_in.rate_limited(request, area=AREA)
...
return await sign_in.sign_out(request, area=AREA, login_url="/console/login")
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps

from starlette.requests import Request
from starlette.responses import Response

from hub.auth.principal import Principal
from hub.errors import HubError
from web import csrf, sessions
from web.errors import error_page, hub_error_page

__all__ = ["Endpoint", "Handler", "rate_limited", "sign_out", "signed_in_page"]

Handler = Callable[[Request, Principal], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


def signed_in_page(
    *, area: str, login_url: str, admits: Callable[[Principal], bool]
) -> Callable[[Handler], Endpoint]:
    """A decorator for the area's pages: who is signed in, and ``admits``."""

    def decorate(handler: Handler) -> Endpoint:
        @wraps(handler)
        async def endpoint(request: Request) -> Response:
            principal = await sessions.current(request, area=area)
            if principal is None or not admits(principal):
                return sessions.redirect(request, login_url)
            if request.method == "POST":
                request.state.form = await csrf.checked_form(request)
            try:
                return await handler(request, principal)
            except HubError as error:
                return await hub_error_page(request, error)

        return endpoint

    return decorate


async def rate_limited(request: Request, *, area: str) -> Response | None:
    """A 429 page when this address tried signing in too often, else None."""
    allowed, retry_after = await sessions.login_allowed(request, area=area)
    if allowed:
        return None
    return await error_page(
        request,
        status_code=429,
        code="RATE_LIMITED",
        message=f"Too many sign-in attempts; retry in {retry_after} s.",
        headers={"Retry-After": str(retry_after)},
    )


async def sign_out(request: Request, *, area: str, login_url: str) -> Response:
    """End the area's session (a CSRF-checked POST) and go to its login page."""
    if await sessions.current(request, area=area) is None:
        return sessions.redirect(request, login_url)
    await csrf.checked_form(request)
    await sessions.logout(request, area=area)
    return sessions.redirect(request, login_url)
