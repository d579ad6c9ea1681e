"""Signing in to the portal with OpenID Connect, in a browser, at a real provider
(``oidc-provider`` on node; see tests/oidc)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.consent.helpers import USCC
from tests.oidc.server import OidcProvider
from tests.web.conftest import open_page
from tests.web.live import LiveServer, screenshot
from tests.web.portal import given_enterprise


@pytest.fixture
def provider(live: LiveServer) -> Iterator[OidcProvider]:
    """A provider that knows this live hub as its client, and the hub set to it."""
    provider = OidcProvider([f"{live.url}/portal/oidc/callback"])
    settings = live.hub.settings
    settings.public_url = live.url
    settings.oidc_issuer = provider.issuer
    settings.oidc_client_id = provider.client_id
    settings.oidc_client_secret = provider.client_secret
    settings.oidc_uscc_claim = "uscc"
    yield provider
    provider.stop()


def _at_provider(page: Any, provider: OidcProvider, login: str) -> None:
    """The provider's own sign-in and consent pages, as a person fills them."""
    page.wait_for_url(f"{provider.issuer}/**")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "any")
    page.click("button[type=submit]")
    page.click("button[type=submit]")  # "Continue": share the claims


def _open(browser: Any, live: LiveServer, provider: OidcProvider) -> Any:
    page = open_page(browser, live.url)
    # The provider's pages may load from the provider (nothing else).
    page.context.route(f"{provider.issuer}/**", lambda route: route.continue_())
    return page


def test_an_enterprise_signs_in_at_its_identity_provider(
    browser: Any, live: LiveServer, provider: OidcProvider
) -> None:
    given_enterprise(live, USCC)
    page = _open(browser, live, provider)
    page.goto(f"{live.url}/portal/login")
    screenshot(page, "portal-login-oidc")
    page.click("[data-action=oidc-login]")
    _at_provider(page, provider, USCC)
    page.wait_for_url(f"{live.url}/portal")
    assert USCC in page.inner_text("[data-testid=entity]")
    # the state was spent: replaying the callback does not sign in again
    page.context.clear_cookies()
    page.go_back()
    page.goto(f"{live.url}/portal")
    assert page.url == f"{live.url}/portal/login"
    page.context.close()


def test_an_identity_without_a_known_enterprise_is_refused(
    browser: Any, live: LiveServer, provider: OidcProvider
) -> None:
    given_enterprise(live, USCC)
    page = _open(browser, live, provider)
    page.goto(f"{live.url}/portal/login")
    page.click("[data-action=oidc-login]")
    _at_provider(page, provider, "91110000100017643K")  # valid, not registered
    page.wait_for_url(f"{live.url}/portal/oidc/callback**")
    assert page.locator("main").get_attribute("data-code") == "NOT_FOUND"
    page.goto(f"{live.url}/portal")
    assert page.url == f"{live.url}/portal/login"
    page.context.close()
