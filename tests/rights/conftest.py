"""A real hub serving the whole schema (rights types and riskAlerts included)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from hub.clock import FrozenClock
from hub.db import migrate
from tests.api import Api, make_api


async def _api(url: str, clock: FrozenClock, tmp_path: Any) -> AsyncIterator[Api]:
    a, http = await make_api(url, clock, tmp_path)
    yield a
    await http.aclose()
    await a.hub.aclose()


@pytest.fixture
async def rapi(db_url: str, clock: FrozenClock, tmp_path: Any) -> AsyncIterator[Api]:
    """Both databases."""
    async for a in _api(db_url, clock, tmp_path):
        yield a


@pytest.fixture
async def sqlite_rapi(
    sqlite_url: str, clock: FrozenClock, tmp_path: Any
) -> AsyncIterator[Api]:
    migrate(sqlite_url)
    async for a in _api(sqlite_url, clock, tmp_path):
        yield a
