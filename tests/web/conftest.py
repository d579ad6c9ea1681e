"""Browser-test fixtures: a live hub, Debian's chromium, a page that stays offline.

Every page a test opens may reach only the live server: any other request
is aborted and recorded (``page.outside_requests``), as are Content
Security Policy violations (``csp_violations(page)``) and console errors.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from hub.settings import Settings
from tests.web.live import CHROMIUM_FLAGS, LiveServer, chromium_path

_RECORD_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def _settings(url: str, tmp: Any) -> Settings:
    return Settings(database_url=url, env="test", key_dir=str(tmp / "keys"))


@pytest.fixture
def live(sqlite_url: str, tmp_path: Any) -> Iterator[LiveServer]:
    """The real app under uvicorn on a fresh SQLite file."""
    server = LiveServer(_settings(sqlite_url, tmp_path))
    yield server
    server.stop()


@pytest.fixture
def live_pg(postgres_url: str, tmp_path: Any) -> Iterator[LiveServer]:
    """The real app under uvicorn on a fresh PostgreSQL database."""
    server = LiveServer(_settings(postgres_url, tmp_path))
    yield server
    server.stop()


@pytest.fixture
def browser() -> Iterator[Any]:
    """Debian's chromium, headless, for one test.

    Per test, not per session: Playwright's sync API keeps an event loop
    running while it is open, which the asyncio tests after it cannot share.
    """
    path = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extra installs it
        pytest.skip("playwright is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_FLAGS)
        yield b
        b.close()


def open_page(browser: Any, origin: str, *, locale: str = "zh-CN") -> Any:
    """A page in a fresh context that can reach ``origin`` and nothing else."""
    context = browser.new_context(
        locale=locale, viewport={"width": 1280, "height": 900}
    )
    context.add_init_script(_RECORD_CSP)
    page = context.new_page()
    page.outside_requests = []
    page.console_errors = []

    def guard(route: Any) -> None:
        if route.request.url.startswith(origin + "/"):
            route.continue_()
        else:
            page.outside_requests.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page.on(
        "console",
        lambda m: page.console_errors.append(m.text) if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    # Confirmation prompts (data-confirm) are answered "yes".
    page.on("dialog", lambda d: d.accept())
    page.set_default_timeout(15_000)
    return page


def csp_violations(page: Any) -> list[str]:
    return list(page.evaluate("window.__csp || []"))


@pytest.fixture
def page(browser: Any, live: LiveServer) -> Iterator[Any]:
    p = open_page(browser, live.url)
    yield p
    p.context.close()
