"""The real application under uvicorn, and helpers for driving it from a browser.

``LiveServer`` runs ``create_app`` (lifespan and all: migrations, sealer,
dispatcher) on a loopback port in a thread with its own event loop;
``run(fn)`` runs ``fn(hub)`` on that loop, so tests set up data through the
same services and resources the server uses.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import uvicorn

from hub.resources import Hub
from hub.root.app import create_app
from hub.settings import Settings
from tests.servers import unavailable

__all__ = [
    "ARTIFACTS",
    "CHROMIUM_FLAGS",
    "LiveServer",
    "accessibility_violations",
    "chromium_path",
    "screenshot",
]

T = TypeVar("T")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _starlette(app: Any) -> Any:
    """The Starlette app inside create_app's middleware wrappers."""
    while not hasattr(app, "state"):
        app = app.app
    return app


class LiveServer:
    def __init__(self, settings: Settings) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = create_app(settings)
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="on",
            timeout_graceful_shutdown=1,
        )
        self.server = uvicorn.Server(config)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("live server did not start")
            time.sleep(0.05)

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self.server.serve())

    @property
    def hub(self) -> Hub:
        hub: Hub = _starlette(self.app).state.hub
        return hub

    def run(self, fn: Callable[[Hub], Awaitable[T]]) -> T:
        """``await fn(hub)`` on the server's loop; its result."""
        future = asyncio.run_coroutine_threadsafe(fn(self.hub), self.loop)
        return future.result(60)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(15)


def chromium_path() -> str:
    """Debian's chromium; skips (fails under CI=true) when it is missing."""
    for candidate in (
        os.environ.get("HUB_TEST_CHROMIUM"),
        shutil.which("chromium"),
        "/usr/bin/chromium",
    ):
        if candidate and os.path.exists(candidate):
            return candidate
    unavailable("no chromium found (apt-get install -y chromium)")
    raise AssertionError("unreachable")


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot under tests/artifacts/ (a CI artifact)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def accessibility_violations(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page, as readable lines."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    found = []
    for violation in results.response["violations"]:
        if violation.get("impact") in ("serious", "critical"):
            targets = [n.get("target") for n in violation.get("nodes", [])][:5]
            found.append(f"{violation['id']} ({violation['impact']}): {targets}")
    return found


def make_admin(live: LiveServer, name: str = "平台管理员") -> tuple[str, str]:
    """An ADMIN client made through the client service: (client_id, secret)."""
    from hub.auth.clients import client_service
    from hub.auth.principal import SYSTEM
    from hub.enums import PrincipalKind
    from hub.unit_of_work import UnitOfWork

    async def create(hub: Hub) -> tuple[str, str]:
        work = UnitOfWork(hub.sessionmaker)
        session = await work.session()
        creds = await client_service.create(
            session, actor=SYSTEM, clock=hub.clock, kind=PrincipalKind.ADMIN, name=name
        )
        await work.finish(keep=True)
        return creds.client_id, creds.client_secret

    return live.run(create)


def sign_in(page: Any, live: LiveServer, client_id: str, secret: str) -> None:
    """Sign in to the console through its form."""
    page.goto(f"{live.url}/console/login")
    page.fill("#client_id", client_id)
    page.fill("#client_secret", secret)
    page.click("button[data-action=login]")
    page.wait_for_url(f"{live.url}/console")
