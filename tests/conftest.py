"""Shared fixtures: real databases (SQLite file and PostgreSQL), Redis, a clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hub.clock import FrozenClock
from hub.db import create_engine, make_sessionmaker, migrate
from tests.servers import PostgresServer, RedisServer


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    server = PostgresServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    yield server
    server.stop()


@pytest.fixture
def sqlite_url(tmp_path) -> str:  # type: ignore[no-untyped-def]
    return f"sqlite+aiosqlite:///{tmp_path}/hub.db"


@pytest.fixture
def postgres_url(pg_server: PostgresServer) -> str:
    return pg_server.new_database()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest) -> str:
    """A fresh, migrated database URL; tests using it run on both backends."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(name)
    migrate(url)
    return url


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    assert redis_server.url
    return redis_server.url


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    eng = create_engine(db_url)
    yield eng
    await eng.dispose()


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(engine)


@pytest.fixture
async def api(db_url: str, clock: FrozenClock, tmp_path):  # type: ignore[no-untyped-def]
    """A real hub (both databases) behind an in-process HTTP client."""
    from tests.api import make_api

    a, http = await make_api(db_url, clock, tmp_path)
    yield a
    await http.aclose()
    await a.hub.aclose()


@pytest.fixture
async def sqlite_api(sqlite_url: str, clock: FrozenClock, tmp_path):  # type: ignore[no-untyped-def]
    """The same, on SQLite only (for tests whose subject is not the database)."""
    from tests.api import make_api

    migrate(sqlite_url)
    a, http = await make_api(sqlite_url, clock, tmp_path)
    yield a
    await http.aclose()
    await a.hub.aclose()


@pytest.fixture
async def pg_api(postgres_url: str, clock: FrozenClock, tmp_path):  # type: ignore[no-untyped-def]
    """The same, on PostgreSQL only (statement counts, row locks)."""
    from tests.api import make_api

    migrate(postgres_url)
    a, http = await make_api(postgres_url, clock, tmp_path)
    yield a
    await http.aclose()
    await a.hub.aclose()
