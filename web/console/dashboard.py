"""``/console``: the statistics dashboard."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub.auth.principal import Principal
from web.console.guard import admin_page, nav
from web.i18n import translator
from web.render import page

__all__ = ["dashboard"]


@admin_page
async def dashboard(request: Request, admin: Principal) -> Response:
    _ = translator(request).gettext
    return await page(
        request,
        "console/dashboard.html",
        {
            "principal": admin,
            "area": _("管理控制台"),
            "nav": nav(_),
            "active": "dashboard",
        },
    )
