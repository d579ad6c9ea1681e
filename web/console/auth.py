"""``/console/login`` and ``/console/logout``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub.auth.clients import client_service
from hub.auth.principal import Principal
from hub.auth.scopes import allowed_scopes
from hub.enums import PrincipalKind
from web import csrf, sessions, sign_in
from web.console.guard import AREA
from web.errors import answers_outages
from web.i18n import translator
from web.render import page
from web.work import unit_of_work

__all__ = ["login_form", "login_submit", "logout"]

_FIELD_MAX = 256


@answers_outages
async def login_form(request: Request) -> Response:
    if await sessions.current(request, area=AREA) is not None:
        return sessions.redirect(request, "/console")
    return await page(request, "console/login.html", {"error": None})


@answers_outages
async def login_submit(request: Request) -> Response:
    form = await csrf.checked_form(request)
    refused = await sign_in.rate_limited(request, area=AREA)
    if refused is not None:
        return refused
    _ = translator(request).gettext
    client_id = str(form.get("client_id") or "").strip()[:_FIELD_MAX]
    secret = str(form.get("client_secret") or "")[:_FIELD_MAX]
    client = None
    if client_id and secret:
        async with unit_of_work(request) as session:
            client = await client_service.authenticate(session, client_id, secret)
    if client is None or client.kind != PrincipalKind.ADMIN.value:
        # One answer for unknown, wrong, suspended and non-admin clients.
        return await page(
            request,
            "console/login.html",
            {
                "error": _("客户端 ID 或密钥不正确，或该客户端不是有效的管理员。"),
                "error_code": "UNAUTHENTICATED",
                "client_id": client_id,
            },
            status_code=401,
        )
    principal = Principal(
        id=client.id,
        kind=PrincipalKind.ADMIN,
        name=client.name,
        scopes=allowed_scopes(PrincipalKind.ADMIN),
    )
    await sessions.login(
        request, principal, area=AREA, secret_version=client.secret_version or 0
    )
    return sessions.redirect(request, "/console")


@answers_outages
async def logout(request: Request) -> Response:
    return await sign_in.sign_out(request, area=AREA, login_url="/console/login")
