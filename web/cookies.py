"""Cookies the pages set: HttpOnly, SameSite=Lax, Secure in production.

Code that decides a cookie during a request queues it with :func:`queue`;
:func:`web.render.page` (or :func:`apply`, for redirects) writes the queued
cookies onto the response, so a helper deep in a request never needs the
response object.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

__all__ = ["Cookie", "apply", "queue", "secure"]


@dataclass(frozen=True, slots=True)
class Cookie:
    name: str
    value: str
    #: Seconds; ``0`` deletes the cookie, ``None`` lasts the browser session.
    max_age: int | None


def secure(request: Request) -> bool:
    """Cookies carry ``Secure`` when the hub runs with ``HUB_ENV=production``."""
    return bool(request.app.state.hub.settings.production)


def queue(request: Request, name: str, value: str, max_age: int | None) -> None:
    """Set (or with ``max_age=0`` delete) a cookie on this request's response."""
    pending: list[Cookie] = getattr(request.state, "web_cookies", [])
    pending = [c for c in pending if c.name != name]
    pending.append(Cookie(name, value, max_age))
    request.state.web_cookies = pending


def apply(request: Request, response: Response) -> Response:
    """Write the queued cookies onto ``response`` (and return it)."""
    for cookie in getattr(request.state, "web_cookies", []):
        if cookie.max_age == 0:
            response.delete_cookie(
                cookie.name,
                path="/",
                secure=secure(request),
                httponly=True,
                samesite="lax",
            )
            continue
        response.set_cookie(
            cookie.name,
            cookie.value,
            max_age=cookie.max_age,
            path="/",
            secure=secure(request),
            httponly=True,
            samesite="lax",
        )
    request.state.web_cookies = []
    return response
