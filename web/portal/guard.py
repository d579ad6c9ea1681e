"""The portal's door keeper: a signed-in enterprise on every page and action.

    @enterprise_page
    async def consents(request: Request, me: Principal) -> Response: ...

GET pages get the enterprise's SUBJECT principal; POST actions also have
their CSRF token checked first and get the form as ``request.state.form``.
A service's ``HubError`` becomes a coded error page (``web.errors``).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from hub.auth.principal import Principal
from web.i18n import translator
from web.render import page
from web.sign_in import signed_in_page

__all__ = ["AREA", "enterprise_page", "form_text", "nav", "portal_page"]

AREA = "portal"
enterprise_page = signed_in_page(
    area=AREA,
    login_url="/portal/login",
    admits=lambda me: me.is_subject and bool(me.uscc),
)


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
