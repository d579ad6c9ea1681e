"""The agency sandbox as a real HTTP server, and hubs whose connectors pull from it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from hub.clock import FrozenClock
from hub.settings import ConnectorSettings
from tests.api import Api, make_api
from tests.connectors.conftest import SOURCE_OF, SandboxServer


@pytest.fixture(scope="session")
def agency() -> Iterator[SandboxServer]:
    server = SandboxServer()
    yield server
    server.stop()


@pytest.fixture
async def pulling_api(
    db_url: str, clock: FrozenClock, tmp_path: Any, agency: SandboxServer
) -> AsyncIterator[Api]:
    """A real hub (both databases) whose built-in connectors ask the sandbox."""
    agency.reset()
    conf = {"base_url": agency.url, "timeout": 2.0, "retries": 1}
    connectors = {n: ConnectorSettings.model_validate(conf) for n in SOURCE_OF}
    api, http = await make_api(db_url, clock, tmp_path, connectors=connectors)
    yield api
    await http.aclose()
    await api.hub.aclose()
