"""A real hub whose schema includes the rights types and the riskAlerts subscription.

Until ``schema/__init__.py`` merges them, the schema is built here from the
same pieces (``QUERIES``, ``MUTATIONS``, the production extensions).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import strawberry
from strawberry.tools import merge_types

import schema as schema_pkg
from hub.clock import FrozenClock
from hub.db import migrate
from schema.alerts import AlertSubscription
from schema.rights import RightsMutation, RightsQuery
from tests.api import Api, make_api


def _with(types: tuple[type, ...], extra: type) -> tuple[type, ...]:
    return types if extra in types else (*types, extra)


def rights_schema() -> strawberry.Schema:
    built = schema_pkg.get_schema(False)
    if RightsQuery in schema_pkg.QUERIES and built.subscription is not None:
        return built
    return schema_pkg.HubSchema(
        query=merge_types("Query", _with(schema_pkg.QUERIES, RightsQuery)),
        mutation=merge_types("Mutation", _with(schema_pkg.MUTATIONS, RightsMutation)),
        subscription=merge_types("Subscription", (AlertSubscription,)),
        extensions=built.extensions,
        config=built.config,
    )


_SCHEMA: list[strawberry.Schema] = []


@pytest.fixture
def patched_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    if not _SCHEMA:
        _SCHEMA.append(rights_schema())
    monkeypatch.setattr("hub.root.app.get_schema", lambda production=False: _SCHEMA[0])


async def _api(url: str, clock: FrozenClock, tmp_path: Any) -> AsyncIterator[Api]:
    a, http = await make_api(url, clock, tmp_path)
    yield a
    await http.aclose()
    await a.hub.aclose()


@pytest.fixture
async def rapi(
    db_url: str, clock: FrozenClock, tmp_path: Any, patched_schema: None
) -> AsyncIterator[Api]:
    """Both databases."""
    async for a in _api(db_url, clock, tmp_path):
        yield a


@pytest.fixture
async def sqlite_rapi(
    sqlite_url: str, clock: FrozenClock, tmp_path: Any, patched_schema: None
) -> AsyncIterator[Api]:
    migrate(sqlite_url)
    async for a in _api(sqlite_url, clock, tmp_path):
        yield a
