"""A Redis restart: the hub answers again as soon as Redis is back.

A real redis-server of the test's own is stopped and started again on the
same port.  Connections pooled before the restart are dead without knowing
it; the hub must not fail a request on each of them after Redis is back, and
the bus must deliver again (docs/operations.md, "Redis away").
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest

from hub.backends import NearCache, RedisCache
from hub.backends.factory import Backends, make_backends
from hub.clock import FrozenClock
from hub.db import migrate
from hub.enums import PrincipalKind
from hub.outages import outage_of
from hub.settings import Settings
from tests.api import Api, make_api
from tests.servers import RestartableRedis

USCC = "91350100M000100Y43"
PROFILE = """query($u: USCC!) { creditProfile(uscc: $u, purpose: LENDING) {
  auditEventId } }"""
KEY = "auth:client:restart"


@pytest.fixture
def redis() -> Iterator[RestartableRedis]:
    server = RestartableRedis()
    yield server
    server.stop()


@pytest.fixture
async def workers(redis: RestartableRedis) -> AsyncIterator[list[Backends]]:
    """Two workers' backends on the same Redis."""
    made = [make_backends(Settings(redis_url=redis.url)) for _ in range(2)]
    yield made
    for backends in made:
        await backends.aclose()


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 30) -> None:
    """Poll ``check`` until it holds; a generous bound, not a timing claim."""
    for _ in range(int(seconds / 0.05)):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"not true within {seconds} s")


async def busy(backends: Backends, n: int = 20) -> None:
    """Use ``n`` pooled connections at once (a worker under load)."""

    async def one(i: int) -> None:
        await backends.cache.get(f"busy:{i}")
        await asyncio.sleep(0.01)
        await backends.cache.set(f"busy:{i}", b"1", 60)

    await asyncio.gather(*(one(i) for i in range(n)))


async def test_every_pooled_connection_works_at_once_after_a_restart(
    redis: RestartableRedis, workers: list[Backends]
) -> None:
    backends = workers[0]
    await busy(backends)
    redis.stop()
    # while Redis is away a command fails as an outage …
    with pytest.raises(Exception) as away:
        await backends.cache.get("busy:0")
    assert outage_of(away.value) == "redis"
    redis.start()
    # … and once it is back, no command fails on a connection from before
    results = await asyncio.gather(
        *(backends.cache.get(f"busy:{i}") for i in range(20)),
        *(backends.limiter.hit(f"k{i}", 10, 60.0) for i in range(20)),
        return_exceptions=True,
    )
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert results[:20] == [None] * 20  # a restart without persistence
    assert results[20:] == [(True, 0.0)] * 20


async def test_the_bus_delivers_again_after_a_restart(
    redis: RestartableRedis, workers: list[Backends]
) -> None:
    reader, writer = workers
    # a near cache whose local copies outlive the test: only a message on the
    # bus can make it read a changed value
    assert reader.redis is not None
    near = NearCache(
        RedisCache(reader.redis), reader.pubsub, near=("auth:client:",), ttl=3600
    )

    async def reads(value: bytes) -> bool:
        return await near.get(KEY) == value

    async def subscribed() -> bool:
        await near.get(KEY)  # (re)subscribes, at most once a second
        return near._subscribed

    try:
        for round, restart in enumerate((False, True)):
            await busy(writer)
            if restart:
                redis.stop()
                redis.start()
            await eventually(subscribed)
            # the reader keeps a local copy …
            await writer.cache.set(KEY, b"old%d" % round, 60)
            await eventually(lambda r=round: reads(b"old%d" % r))  # type: ignore[misc]
            # … which the writer's change, announced on the bus, replaces
            await writer.cache.set(KEY, b"new%d" % round, 60)
            await eventually(lambda r=round: reads(b"new%d" % r))  # type: ignore[misc]
    finally:
        await near.aclose()


@pytest.fixture
async def api(
    redis: RestartableRedis, sqlite_url: str, clock: FrozenClock, tmp_path: Any
) -> AsyncIterator[Api]:
    migrate(sqlite_url)
    a, http = await make_api(sqlite_url, clock, tmp_path, redis_url=redis.url)
    yield a
    await http.aclose()
    await a.hub.aclose()


async def test_requests_succeed_again_right_after_a_restart(
    redis: RestartableRedis, api: Api
) -> None:
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    await api.grant(USCC, bank, "LENDING", ["BASIC"])

    async def read() -> int:
        r = await api.http.post(
            "/graphql",
            json={"query": PROFILE, "variables": {"u": USCC}},
            headers={"authorization": f"Bearer {bank.token}"},
        )
        return r.status_code

    assert await asyncio.gather(*(read() for _ in range(10))) == [200] * 10
    redis.stop()
    # Redis away: the hub says so (503, code INTERNAL), it does not hang
    assert await read() == 503
    redis.start()
    # back: every request is answered, the first ones included
    assert await asyncio.gather(*(read() for _ in range(10))) == [200] * 10
