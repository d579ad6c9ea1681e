"""Each backend interface runs against both implementations (memory, real Redis)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from redis.asyncio import Redis

from hub.backends import (
    MemoryCache,
    MemoryPubSub,
    MemoryRateLimiter,
    RedisCache,
    RedisPubSub,
    RedisRateLimiter,
)


class Tick:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@dataclass
class Kit:
    kind: str
    cache: Any
    limiter: Any
    pubsub: Any
    tick: Tick
    redis: Redis | None
    prefix: str

    async def expire(self, key: str, seconds: float) -> None:
        """Let ``seconds`` pass for ``key``: move the clock, or expire it in Redis."""
        if self.redis is None:
            self.tick.t += seconds
            return
        # PEXPIREAT in the past makes Redis drop the key at once: no sleeping.
        ttl_ms = await self.redis.pttl(self.prefix + "cache:" + key)
        if ttl_ms <= seconds * 1000:
            await self.redis.pexpireat(self.prefix + "cache:" + key, 1)


@pytest.fixture(params=["memory", "redis"])
async def kit(request: pytest.FixtureRequest) -> AsyncIterator[Kit]:
    tick = Tick()
    prefix = f"test:{uuid.uuid4().hex[:10]}:"
    if request.param == "memory":
        yield Kit(
            "memory",
            MemoryCache(max_entries=3, monotonic=tick),
            MemoryRateLimiter(monotonic=tick),
            MemoryPubSub(),
            tick,
            None,
            prefix,
        )
        return
    redis = Redis.from_url(request.getfixturevalue("redis_url"))
    yield Kit(
        "redis",
        RedisCache(redis, prefix=prefix + "cache:"),
        RedisRateLimiter(redis, prefix=prefix + "rate:"),
        RedisPubSub(redis, prefix=prefix + "bus:"),
        tick,
        redis,
        prefix,
    )
    keys = [k async for k in redis.scan_iter(match=prefix + "*")]
    if keys:
        await redis.delete(*keys)
    await redis.aclose()
