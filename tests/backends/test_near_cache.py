"""The client-status cache each worker keeps in process (``NearCache``) over
real Redis: a change made by one worker reaches the others through the bus,
and a lost message costs at most the local copy's ttl."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from hub.backends import NearCache, RedisCache, RedisPubSub
from tests.backends.conftest import Tick

KEY = "auth:client:c1"


class Worker:
    def __init__(self, url: str, prefix: str, tick: Tick) -> None:
        self.redis = Redis.from_url(url)
        self.cache = NearCache(
            RedisCache(self.redis, prefix=prefix + "cache:"),
            RedisPubSub(self.redis, prefix=prefix + "bus:"),
            near=("auth:client:",),
            ttl=1.0,
            monotonic=tick,
        )

    async def subscribed(self) -> None:
        """Until the listener is subscribed, reads go to Redis (no copies)."""
        for _ in range(500):
            await self.cache.get("auth:client:warm-up")
            if self.cache._subscribed:
                return
            await asyncio.sleep(0.01)
        raise AssertionError("the listener never subscribed")

    async def aclose(self) -> None:
        await self.cache.aclose()
        await self.redis.aclose()


@pytest.fixture
async def workers(redis_url: str) -> AsyncIterator[tuple[Worker, Worker, Tick, Redis]]:
    prefix = f"test:{uuid.uuid4().hex[:10]}:"
    tick = Tick()
    a, b = Worker(redis_url, prefix, tick), Worker(redis_url, prefix, tick)
    await a.subscribed()
    await b.subscribed()
    raw = Redis.from_url(redis_url)
    yield a, b, tick, raw
    await a.aclose()
    await b.aclose()
    keys = [k async for k in raw.scan_iter(match=prefix + "*")]
    if keys:
        await raw.delete(*keys)
    await raw.aclose()


async def _until(worker: Worker, value: bytes) -> None:
    # Waits for the bus (no timing is asserted: only that it arrives).
    for _ in range(1000):
        if await worker.cache.get(KEY) == value:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{value!r} never reached the other worker")


async def test_a_suspension_reaches_the_other_worker_through_the_bus(
    workers: tuple[Worker, Worker, Tick, Redis],
) -> None:
    a, b, _tick, _raw = workers
    await a.cache.add(KEY, b"active", 2.0)
    assert await b.cache.get(KEY) == b"active"  # b now holds a local copy
    # when a suspends the client (set, as hub.auth.status.mark_suspended does)
    await a.cache.set(KEY, b"suspended", 2.0)
    # then a sees it at once, and b once the message arrives
    assert await a.cache.get(KEY) == b"suspended"
    await _until(b, b"suspended")


async def test_a_lost_message_costs_at_most_the_local_ttl(
    workers: tuple[Worker, Worker, Tick, Redis],
) -> None:
    a, _b, tick, raw = workers
    await a.cache.add(KEY, b"active", 60.0)
    assert await a.cache.get(KEY) == b"active"
    # a change that sends no message (written to Redis behind the cache's back)
    prefix = a.cache.shared.prefix  # type: ignore[attr-defined]
    await raw.set(prefix + KEY, b"suspended", px=60_000)
    # is not seen while the local copy lives (reads stay in process) …
    tick.t += 0.9
    assert await a.cache.get(KEY) == b"active"
    # … and is seen once it expires: the documented bound
    tick.t += 0.2
    assert await a.cache.get(KEY) == b"suspended"


async def test_other_keys_are_never_copied(
    workers: tuple[Worker, Worker, Tick, Redis],
) -> None:
    a, _b, _tick, raw = workers
    await a.cache.set("pull:x", b"1", 60.0)
    assert await a.cache.get("pull:x") == b"1"
    prefix = a.cache.shared.prefix  # type: ignore[attr-defined]
    await raw.set(prefix + "pull:x", b"2", px=60_000)
    assert await a.cache.get("pull:x") == b"2"
