"""Refusals and failures as pages: an HTTP status, a stable code, a translated title.

The page's ``<main>`` carries ``data-code`` (``CSRF_REFUSED``,
``RATE_LIMITED``, ``NOT_FOUND``, ``VALIDATION_ERROR`` … — the codes of
``hub.errors.ErrorCode`` plus ``CSRF_REFUSED``), so scripts and tests read
the reason without parsing text.  Service errors keep their own message,
which says what to do.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from hub.errors import ErrorCode, HubError
from hub.outages import OUTAGE_MESSAGE, outage_of
from web.csrf import CsrfRefused
from web.render import page

__all__ = [
    "STATUS",
    "answers_outages",
    "csrf_refused",
    "error_page",
    "hub_error_page",
    "outage_page",
]

STATUS = {
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.VALIDATION_ERROR: 400,
    ErrorCode.INVALID_USCC: 400,
    ErrorCode.CONSENT_REQUIRED: 403,
    ErrorCode.CONFLICT: 409,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.SOURCE_UNAVAILABLE: 503,
}


async def error_page(
    request: Request,
    *,
    status_code: int,
    code: str,
    message: str,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    return await page(
        request,
        "error.html",
        {
            "code": code,
            "message": message,
            "status": status_code,
            # Back to the area's first page (/console, /portal): no script needed.
            "back": "/" + request.url.path.strip("/").split("/")[0],
        },
        status_code=status_code,
        headers=headers,
    )


async def hub_error_page(request: Request, error: HubError) -> HTMLResponse:
    code = getattr(error, "page_code", None) or str(error.code)
    return await error_page(
        request,
        status_code=STATUS.get(error.code, 500),
        code=code,
        message=error.message,
    )


async def outage_page(request: Request, error: BaseException) -> HTMLResponse | None:
    """A 503 page when ``error`` means a backend is away (reported once a
    minute to ``hub.outages``, not logged per request); else ``None``."""
    backend = outage_of(error)
    if backend is None:
        return None
    request.app.state.hub.outages.report(backend, error)
    return await error_page(
        request,
        status_code=503,
        code="INTERNAL",
        message=OUTAGE_MESSAGE.format(backend=backend),
        headers={"Retry-After": "30"},
    )


def answers_outages(
    endpoint: Callable[[Request], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a route so a backend outage is answered with :func:`outage_page`."""

    @wraps(endpoint)
    async def wrapped(request: Request) -> Response:
        try:
            return await endpoint(request)
        except Exception as exc:
            page = await outage_page(request, exc)
            if page is None:
                raise
            return page

    return wrapped


async def csrf_refused(request: Request, exc: Exception) -> HTMLResponse:
    """Exception handler for :class:`web.csrf.CsrfRefused` (403)."""
    assert isinstance(exc, CsrfRefused)
    return await hub_error_page(request, exc)
