"""The console's door keeper: a signed-in ADMIN on every page and action.

    @admin_page
    async def clients(request: Request, admin: Principal) -> Response: ...

GET pages get the admin; POST actions also have their CSRF token checked
first and get the form as ``request.state.form``.  A service's
``HubError`` becomes a coded error page (``web.errors``); a backend outage
a 503 page, reported to ``hub.outages``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps

from starlette.requests import Request
from starlette.responses import Response

from hub.auth.principal import Principal
from hub.errors import HubError
from web import csrf, sessions
from web.errors import answers_outages, hub_error_page

__all__ = ["AREA", "admin_page", "nav"]

AREA = "console"
Handler = Callable[[Request, Principal], Awaitable[Response]]


def admin_page(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    @answers_outages
    @wraps(handler)
    async def endpoint(request: Request) -> Response:
        admin = await sessions.current(request, area=AREA)
        if admin is None or not admin.is_admin:
            return sessions.redirect(request, "/console/login")
        if request.method == "POST":
            request.state.form = await csrf.checked_form(request)
        try:
            return await handler(request, admin)
        except HubError as error:
            return await hub_error_page(request, error)

    return endpoint


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
