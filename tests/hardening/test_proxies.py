"""X-Forwarded-For chooses the limited address only behind HUB_TRUSTED_PROXIES,
in the app and where the hub runs uvicorn."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from hub.db import migrate
from hub.root.app import create_app
from tests.api import make_api

FORM = {"grant_type": "client_credentials"}
CREDENTIALS = ("nobody", "wrong")


async def _token_statuses(app: Any, peer: str, forwarded: list[str]) -> list[int]:
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as c:
        return [
            (
                await c.post(
                    "/oauth/token",
                    data=FORM,
                    auth=CREDENTIALS,
                    headers={"x-forwarded-for": address},
                )
            ).status_code
            for address in forwarded
        ]


ROTATING = [f"192.0.2.{i}" for i in range(1, 5)]


@pytest.mark.parametrize("peer", ["127.0.0.1", "203.0.113.50"])
async def test_without_trusted_proxies_the_header_is_ignored(
    sqlite_url: str, clock: Any, tmp_path: Any, peer: str
) -> None:
    migrate(sqlite_url)
    api, http = await make_api(
        sqlite_url, clock, tmp_path, token_rate_limit_per_minute=3
    )
    try:
        app = create_app(api.hub.settings, hub=api.hub)
        assert await _token_statuses(app, peer, ROTATING) == [401, 401, 401, 429]
    finally:
        await http.aclose()
        await api.hub.aclose()


async def test_a_trusted_proxy_names_the_client(
    sqlite_url: str, clock: Any, tmp_path: Any
) -> None:
    migrate(sqlite_url)
    api, http = await make_api(
        sqlite_url,
        clock,
        tmp_path,
        token_rate_limit_per_minute=1,
        trusted_proxies=["10.0.0.0/8"],
    )
    try:
        app = create_app(api.hub.settings, hub=api.hub)
        # behind the proxy each client has its own allowance ...
        assert await _token_statuses(app, "10.1.2.3", ROTATING[:2]) == [401, 401]
        # ... what a client prepends itself does not count: the proxy appends
        # the address it saw, and that is the one limited
        spoofed = [f"{a}, 198.51.100.1" for a in ROTATING[:2]]
        assert await _token_statuses(app, "10.1.2.3", spoofed) == [401, 429]
        # and an untrusted peer's header is ignored
        direct = await _token_statuses(app, "203.0.113.60", ROTATING[2:])
        assert direct == [401, 429]
    finally:
        await http.aclose()
        await api.hub.aclose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_served_by_uvicorn_loopback_headers_are_not_believed(tmp_path: Path) -> None:
    # uvicorn on its own believes X-Forwarded-For from any loopback peer; the
    # hub's `serve` must not let it.
    port = _free_port()
    env = {
        **os.environ,
        "HUB_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/hub.db",
        "HUB_TOKEN_RATE_LIMIT_PER_MINUTE": "2",
        "HUB_ENV": "test",
    }
    env.pop("HUB_REDIS_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "hub.root.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # a bound against hanging, not a timing assertion
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        statuses = [
            httpx.post(
                f"{base}/oauth/token",
                data=FORM,
                auth=CREDENTIALS,
                headers={"x-forwarded-for": address},
            ).status_code
            for address in ROTATING[:3]
        ]
        assert statuses == [401, 401, 429]
    finally:
        server.terminate()
        server.wait(30)
