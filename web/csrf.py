"""A CSRF token on every form, checked on every POST.

Signed in, the token is the session's own (``WebSession.csrf``); before
sign-in (the login forms) it is a random value kept in the ``hub_csrf``
cookie (double submit).  Either way a cross-site page cannot read it, and
SameSite=Lax keeps the session cookie off cross-site POSTs as a second wall.

In a template every form carries ``{{ csrf_field() }}``; htmx requests send
the same field, as they post the form.  In a route::

    form = await csrf.checked_form(request)   # raises CsrfRefused

A refusal is a 403 page with the code ``CSRF_REFUSED`` (``web.errors``).
"""

from __future__ import annotations

import secrets

from starlette.datastructures import FormData
from starlette.requests import Request

from hub.errors import ErrorCode, HubError
from web import cookies

__all__ = ["COOKIE", "FIELD", "CsrfRefused", "checked_form", "token", "verify"]

FIELD = "csrf_token"
COOKIE = "hub_csrf"


class CsrfRefused(HubError):
    """The form came without this session's CSRF token."""

    code = ErrorCode.FORBIDDEN
    page_code = "CSRF_REFUSED"


def token(request: Request) -> str:
    """The token forms of this request must carry."""
    session = getattr(request.state, "web_session", None)
    if session is not None:
        return str(session.csrf)
    existing = request.cookies.get(COOKIE, "")
    if 20 <= len(existing) <= 128:
        return existing
    fresh = getattr(request.state, "web_csrf", None)
    if fresh is None:
        fresh = secrets.token_urlsafe(32)
        request.state.web_csrf = fresh
        cookies.queue(request, COOKIE, fresh, None)
    return str(fresh)


def verify(request: Request, sent: str | None) -> None:
    """Raise :class:`CsrfRefused` unless ``sent`` is this request's token."""
    session = getattr(request.state, "web_session", None)
    expected = session.csrf if session is not None else request.cookies.get(COOKIE)
    if (
        not sent
        or not expected
        or not secrets.compare_digest(str(sent).encode(), str(expected).encode())
    ):
        raise CsrfRefused(
            "The form's security token is missing or out of date; reload the "
            "page and try again.",
        )


async def checked_form(request: Request) -> FormData:
    """The posted form, after its token was verified."""
    form = await request.form(max_files=0, max_fields=200)
    sent = form.get(FIELD)
    verify(request, sent if isinstance(sent, str) else None)
    return form
