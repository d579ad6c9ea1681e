"""The portal's door keeper: a signed-in enterprise on every page and action.

    @enterprise_page
    async def consents(request: Request, me: Principal) -> Response: ...

GET pages get the enterprise's SUBJECT principal; POST actions also have
their CSRF token checked first and get the form as ``request.state.form``.
A service's ``HubError`` becomes a coded error page (``web.errors``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from hub.auth.principal import Principal
from hub.errors import HubError
from web import csrf, sessions
from web.errors import hub_error_page
from web.i18n import translator
from web.render import page

__all__ = ["AREA", "enterprise_page", "form_text", "nav", "portal_page"]

AREA = "portal"
Handler = Callable[[Request, Principal], Awaitable[Response]]


def enterprise_page(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    @wraps(handler)
    async def endpoint(request: Request) -> Response:
        me = await sessions.current(request, area=AREA)
        if me is None or not me.is_subject or not me.uscc:
            return sessions.redirect(request, "/portal/login")
        if request.method == "POST":
            request.state.form = await csrf.checked_form(request)
        try:
            return await handler(request, me)
        except HubError as error:
            return await hub_error_page(request, error)

    return endpoint


def form_text(request: Request, name: str, limit: int = 2000) -> str:
    value = request.state.form.get(name)
    return str(value).strip()[:limit] if isinstance(value, str) else ""


def nav(request: Request) -> list[tuple[str, str, str]]:
    """The portal's sections: ``(href, label, key)``."""
    _ = translator(request).gettext
    return [
        ("/portal", _("我的信用档案"), "profile"),
        ("/portal/requests", _("授权请求"), "requests"),
        ("/portal/consents", _("我的授权"), "consents"),
        ("/portal/access", _("谁查看了我的数据"), "access"),
        ("/portal/rights", _("异议与修复"), "rights"),
        ("/portal/notices", _("通知"), "notices"),
        ("/portal/reports", _("信用报告"), "reports"),
    ]


async def portal_page(
    request: Request,
    me: Principal,
    template: str,
    active: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
) -> Response:
    """A page of the signed-in portal: layout, navigation, who is signed in."""
    values = {
        "principal": me,
        "area": translator(request).gettext("企业门户"),
        "nav": nav(request),
        "active": active,
        "flash": request.query_params.get("done"),
        **context,
    }
    return await page(request, f"portal/{template}", values, status_code=status_code)
