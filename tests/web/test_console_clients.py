"""The console's clients page drives the same registry as the API."""

from __future__ import annotations

from typing import Any

import httpx

from tests.web.conftest import csp_violations, open_page
from tests.web.live import LiveServer, make_admin, screenshot, sign_in
from tests.web.portal import token_for

ME = {"query": "{ me { id kind name } }"}


def _me(live: LiveServer, token: str) -> dict[str, Any]:
    response = httpx.post(
        f"{live.url}/graphql", json=ME, headers={"authorization": f"Bearer {token}"}
    )
    body: dict[str, Any] = response.json()
    return body


def _client_lifecycle(browser: Any, live: LiveServer) -> None:
    page = open_page(browser, live.url)
    admin_id, admin_secret = make_admin(live)
    sign_in(page, live, admin_id, admin_secret)
    screenshot(page, "console-dashboard")

    # when the admin creates a bank client
    page.click("nav.site-nav >> text=客户端")
    page.select_option("#new-kind", "BANK")
    page.fill("#new-name", "郑州银行")
    page.click("button[data-action=create]")
    # then its secret is shown, this once
    client_id = page.inner_text("[data-testid=new-client-id]")
    secret = page.inner_text("[data-testid=new-client-secret]")
    screenshot(page, "console-clients")
    token = token_for(live, client_id, secret)
    assert _me(live, token)["data"]["me"]["name"] == "郑州银行"
    row = page.locator("tr[data-testid^=client-]", has_text="郑州银行")
    testid = row.get_attribute("data-testid")

    # when it is suspended, then its token is refused at /graphql
    row.locator("button[data-action=suspend]").click()
    row = page.locator(f"tr[data-testid={testid}]")
    assert row.get_attribute("data-status") == "suspended"
    refused = _me(live, token)
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    # when it is reactivated, then the same token is accepted again
    row.locator("button[data-action=reactivate]").click()
    row = page.locator(f"tr[data-testid={testid}]")
    assert row.get_attribute("data-status") == "active"
    assert _me(live, token)["data"]["me"]["name"] == "郑州银行"

    # when its secret is rotated, then the new secret is shown and the old
    # token is refused
    row.locator("button[data-action=rotate]").click()
    new_secret = page.inner_text("[data-testid=new-client-secret]")
    assert new_secret != secret
    assert _me(live, token)["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "data" in _me(live, token_for(live, client_id, new_secret))

    assert page.outside_requests == []
    assert csp_violations(page) == []
    assert page.console_errors == []
    page.context.close()


def test_client_create_suspend_reactivate_rotate(
    browser: Any, live: LiveServer
) -> None:
    _client_lifecycle(browser, live)


def test_client_lifecycle_on_postgresql(browser: Any, live_pg: LiveServer) -> None:
    _client_lifecycle(browser, live_pg)
