from __future__ import annotations

from hub.backends import (
    BudgetRateLimiter,
    MemoryCache,
    MemoryPubSub,
    MemoryRateLimiter,
    NearCache,
    RedisCache,
    RedisPubSub,
    RedisRateLimiter,
    make_backends,
)
from hub.settings import Settings


async def test_in_process_backends_without_redis_url() -> None:
    backends = make_backends(Settings(redis_url=None))
    assert isinstance(backends.cache, MemoryCache)
    assert isinstance(backends.limiter, MemoryRateLimiter)
    assert isinstance(backends.pubsub, MemoryPubSub)
    assert await backends.ping() is True
    await backends.aclose()


async def test_redis_backends_with_redis_url(redis_url: str) -> None:
    backends = make_backends(Settings(redis_url=redis_url))
    try:
        assert isinstance(backends.cache, NearCache)
        assert isinstance(backends.cache.shared, RedisCache)
        assert isinstance(backends.limiter, BudgetRateLimiter)
        assert isinstance(backends.limiter.redis, RedisRateLimiter)
        assert isinstance(backends.pubsub, RedisPubSub)
        assert await backends.ping() is True
    finally:
        await backends.aclose()
        await backends.aclose()  # closing twice is harmless


async def test_unreachable_redis_is_not_ready() -> None:
    backends = make_backends(
        Settings(redis_url="redis://127.0.0.1:1/0"), socket_connect_timeout=0.5
    )
    assert await backends.ping() is False
    await backends.aclose()
