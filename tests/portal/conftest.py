"""Fixtures of the portal tests: an enterprise, and a real OIDC provider."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.oidc.server import OidcProvider

# Where the hub under test says the provider sends browsers back to.
CALLBACK = "http://127.0.0.1:8000/portal/oidc/callback"
USCC = "91350100M000100Y43"
OTHER_USCC = "91110000100017643K"


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[OidcProvider]:
    provider = OidcProvider([CALLBACK])
    yield provider
    provider.stop()
