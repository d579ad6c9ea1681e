"""What the console's and the portal's sign-in pages share.

refused = await sign_in.rate_limited(request, area=AREA)
...
return await sign_in.sign_out(request, area=AREA, login_url="/console/login")
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from web import csrf, sessions
from web.errors import error_page

__all__ = ["rate_limited", "sign_out"]


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
