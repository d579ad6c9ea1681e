"""The pages' security over plain HTTP: cookies, CSP, CSRF, limits, sessions."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from hub.auth.clients import client_service
from hub.auth.principal import SYSTEM
from hub.auth.sealing import generate_kek
from hub.db import session_scope
from hub.enums import PrincipalKind
from hub.root.app import create_app
from hub.root.build import build_hub
from hub.settings import Settings
from tests.api import Api, ClientCreds
from tests.web.forms import console_login, csrf_of
from web.render import CSP


@pytest.fixture
async def admin(api: Api) -> ClientCreds:
    return await api.client(PrincipalKind.ADMIN, "平台管理员")


async def test_pages_carry_a_csp_without_inline_code(api: Api) -> None:
    response = await api.http.get("/console/login")
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == CSP
    assert "script-src 'self'" in CSP and "unsafe-inline" not in CSP
    assert response.headers["x-frame-options"] == "DENY"
    assert "<script>" not in response.text and "style=" not in response.text


async def test_static_files_are_cached_for_a_year(api: Api) -> None:
    response = await api.http.get("/static/vendor/htmx-2.0.11/htmx.min.js")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"


async def test_session_cookie_is_httponly_and_samesite_lax(
    api: Api, admin: ClientCreds
) -> None:
    response = await console_login(api.http, admin.client_id, admin.client_secret)
    assert response.status_code == 303
    assert response.headers["location"] == "/console"
    cookie = next(
        c
        for c in response.headers.get_list("set-cookie")
        if c.startswith("hub_console=")
    )
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # not production
    assert (await api.http.get("/console")).status_code == 200


async def test_session_cookie_is_secure_in_production(
    sqlite_url: str, clock: Any, tmp_path: Any
) -> None:
    settings = Settings(
        database_url=sqlite_url, key_dir=str(tmp_path / "keys"), env="production",
        key_encryption_key=generate_kek(),
    )
    hub = await build_hub(settings, clock)
    async with session_scope(hub.sessionmaker) as s:
        creds = await client_service.create(
            s, actor=SYSTEM, clock=clock, kind=PrincipalKind.ADMIN, name="admin"
        )
    transport = httpx.ASGITransport(app=create_app(settings, hub=hub))
    async with httpx.AsyncClient(transport=transport, base_url="https://hub") as http:
        response = await console_login(http, creds.client_id, creds.client_secret)
    await hub.aclose()
    cookies = response.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("hub_console="))
    assert "Secure" in session and "HttpOnly" in session


@pytest.mark.parametrize("token", [None, "forged-token-forged-token"])
async def test_a_form_without_its_csrf_token_is_refused_403(
    api: Api, admin: ClientCreds, token: str | None
) -> None:
    await api.http.get("/console/login")
    data = {"client_id": admin.client_id, "client_secret": admin.client_secret}
    if token:
        data["csrf_token"] = token
    response = await api.http.post("/console/login", data=data)
    assert response.status_code == 403
    assert 'data-code="CSRF_REFUSED"' in response.text
    assert "hub_console=" not in response.headers.get("set-cookie", "")


async def test_login_is_rate_limited_per_address(api: Api, admin: ClientCreds) -> None:
    limit = api.hub.settings.web_login_rate_limit_per_minute
    for _ in range(limit):
        refused = await console_login(api.http, admin.client_id, "wrong")
        assert refused.status_code == 401
    response = await console_login(api.http, admin.client_id, admin.client_secret)
    assert response.status_code == 429
    assert 'data-code="RATE_LIMITED"' in response.text
    assert int(response.headers["retry-after"]) >= 1


async def test_a_non_admin_client_cannot_sign_in(api: Api) -> None:
    bank = await api.client(PrincipalKind.BANK, "郑州银行")
    response = await console_login(api.http, bank.client_id, bank.client_secret)
    assert response.status_code == 401
    assert 'data-code="UNAUTHENTICATED"' in response.text


async def test_a_suspended_admins_session_stops_working(
    api: Api, admin: ClientCreds
) -> None:
    # given an admin signed in to the console
    await console_login(api.http, admin.client_id, admin.client_secret)
    assert (await api.http.get("/console")).status_code == 200
    # when another admin suspends that client
    async with session_scope(api.hub.sessionmaker) as s:
        await client_service.suspend(
            s, actor=SYSTEM, clock=api.clock, id=admin.id, cache=api.hub.cache
        )
    # then its session is over at the next request
    response = await api.http.get("/console")
    assert response.status_code == 303
    assert response.headers["location"] == "/console/login"


async def test_logout_ends_the_session(api: Api, admin: ClientCreds) -> None:
    await console_login(api.http, admin.client_id, admin.client_secret)
    page = await api.http.get("/console")
    stolen = api.http.cookies.get("hub_console")
    response = await api.http.post(
        "/console/logout", data={"csrf_token": csrf_of(page.text)}
    )
    assert response.status_code == 303
    # the old cookie no longer opens the console
    api.http.cookies.set("hub_console", stolen)
    assert (await api.http.get("/console")).status_code == 303
