"""Render a page: Jinja2 templates, the request's language, safe headers.

Every HTML response of the pages goes through :func:`page`, which

* renders ``web/templates/<name>`` in the request's language (``web.i18n``),
  with ``lang``, ``csrf_field()``, ``static()``, ``lang_url()`` and the
  ``request`` available to the template;
* remembers a ``?lang=`` choice in the ``hub_lang`` cookie and writes the
  cookies queued during the request (``web.cookies``);
* sets the security headers (:data:`SECURITY_HEADERS`): a
  Content-Security-Policy allowing only the hub's own scripts and styles
  (no inline ``<script>``, ``style=""`` or ``<style>``: put behaviour in
  ``web/static/*.js`` and looks in ``web/static/*.css``), no framing, no
  sniffing, no referrer to other sites, no caching of personal pages.

    return await page(request, "console/clients.html", {"clients": rows})
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from web import cookies, csrf, i18n
from web.assets import static_url

__all__ = [
    "CSP",
    "SECURITY_HEADERS",
    "TEMPLATE_DIR",
    "environment",
    "page",
    "secure_headers",
]

TEMPLATE_DIR = Path(__file__).parent / "templates"

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
_YEAR = 365 * 24 * 3600


@cache
def environment(language: str) -> Environment:
    """The templates with ``language``'s catalog installed (one per language)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(  # type: ignore[attr-defined]
        i18n.translations(language), newstyle=True
    )
    env.globals["static"] = static_url
    return env


def secure_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _lang_url(request: Request, language: str) -> str:
    if request.method != "GET":
        # The page answered a form post: switch language on the area's home.
        home = "/" + request.url.path.strip("/").split("/")[0]
        return f"{home}?{urlencode({'lang': language})}"
    query = {k: v for k, v in request.query_params.items() if k != "lang"}
    query["lang"] = language
    return f"{request.url.path}?{urlencode(query)}"


async def page(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """The rendered page as a response, with cookies and security headers."""
    language = i18n.language_of(request)
    asked = i18n.chosen(request)
    if asked is not None and request.cookies.get(i18n.COOKIE) != asked:
        cookies.queue(request, i18n.COOKIE, asked, _YEAR)

    def csrf_field() -> Markup:
        return Markup('<input type="hidden" name="{}" value="{}">').format(
            csrf.FIELD, csrf.token(request)
        )

    values: dict[str, Any] = {
        "request": request,
        "lang": language,
        "html_lang": i18n.LANGUAGES[language],
        "csrf_field": csrf_field,
        "csrf_token": lambda: csrf.token(request),
        "lang_url": lambda code: _lang_url(request, code),
        "principal": None,
        "area": None,
        "nav": None,
    }
    values.update(context or {})
    body = environment(language).get_template(template).render(values)
    response = HTMLResponse(body, status_code=status_code, headers=headers)
    cookies.apply(request, response)
    return secure_headers(response)  # type: ignore[return-value]
