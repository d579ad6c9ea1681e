"""The console's door keeper: a signed-in ADMIN on every page and action.

    @admin_page
    async def clients(request: Request, admin: Principal) -> Response: ...

GET pages get the admin; POST actions also have their CSRF token checked
first and get the form as ``request.state.form``.  A service's
``HubError`` becomes a coded error page (``web.errors``); a backend outage
a 503 page, reported to ``hub.outages``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from hub.auth.principal import Principal
from hub.errors import ErrorCode, HubError
from web.errors import answers_outages
from web.i18n import translator
from web.render import page
from web.sign_in import Endpoint, Handler, signed_in_page

__all__ = ["AREA", "admin_page", "approves", "console_context", "console_page", "nav"]

AREA = "console"
_admin = signed_in_page(
    area=AREA, login_url="/console/login", admits=lambda p: p.is_admin
)


def admin_page(handler: Handler) -> Endpoint:
    """An ADMIN's page; a backend outage also answered (a 503 page)."""
    return answers_outages(_admin(handler))


def nav(gettext: Callable[[str], str]) -> list[tuple[str, str, str]]:
    """The console's sections: ``(href, label, key)``."""
    _ = gettext
    return [
        ("/console", _("统计"), "dashboard"),
        ("/console/clients", _("客户端"), "clients"),
        ("/console/consents", _("授权"), "consents"),
        ("/console/audit", _("审计"), "audit"),
        ("/console/queues", _("待办队列"), "queues"),
        ("/console/white-list", _("白名单申请"), "white_list"),
        ("/console/rules", _("场景规则"), "rules"),
        ("/console/imports", _("数据导入"), "imports"),
    ]


def console_context(
    request: Request, admin: Principal, active: str, context: dict[str, Any]
) -> dict[str, Any]:
    """A console page's values: layout, navigation, who is signed in."""
    _ = translator(request).gettext
    return {
        "principal": admin,
        "area": _("管理控制台"),
        "nav": nav(_),
        "active": active,
        **context,
    }


async def console_page(
    request: Request,
    admin: Principal,
    template: str,
    active: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
) -> Response:
    """A page of the console, ``template`` under ``templates/console/``."""
    values = console_context(request, admin, active, context)
    return await page(request, f"console/{template}", values, status_code=status_code)


def approves(form: Any) -> bool:
    """The posted ``decision``: ``approve`` (True) or ``reject`` (False)."""
    decision = str(form.get("decision") or "")
    if decision not in ("approve", "reject"):
        raise HubError(
            "Choose a decision: approve or reject.", ErrorCode.VALIDATION_ERROR
        )
    return decision == "approve"
