"""Choose the backends from the settings: Redis when ``HUB_REDIS_URL`` is set."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

from hub.backends.cache import Cache, MemoryCache, NearCache, RedisCache
from hub.backends.near import NearValues
from hub.backends.pubsub import MemoryPubSub, PubSub, RedisPubSub
from hub.backends.ratelimit import (
    BudgetRateLimiter,
    MemoryRateLimiter,
    RateLimiter,
    RedisRateLimiter,
)
from hub.settings import Settings

__all__ = [
    "NEAR_KEYS",
    "NEAR_TTL",
    "REDIS_CONNECT_TIMEOUT",
    "REDIS_TIMEOUT",
    "Backends",
    "make_backends",
    "memory_backends",
    "redis_options",
]

#: Cache keys each worker keeps a local copy of (``NearCache``): the client
#: status ``hub.auth.status`` reads on every request.
NEAR_KEYS = ("auth:client:",)
#: The longest a worker may act on a stale local copy when an invalidation
#: message is lost (normally the bus delivers it within milliseconds).
NEAR_TTL = 1.0


#: Seconds to open a connection to Redis, and to wait for an answer, before
#: the command fails as an outage (``redis_options``).
REDIS_CONNECT_TIMEOUT = 1.0
REDIS_TIMEOUT = 2.0


def redis_options() -> dict[str, Any]:
    """How the hub's Redis client meets an outage and the server's return.

    Pooled connections outlive a Redis restart, and nothing tells them: each
    fails the first command sent on it ("Connection closed by server"), and a
    pool of many idle connections used in turn kept failing requests for
    tens of seconds after Redis was back.  So a command that fails with a
    connection error is sent once more, at once, on a new connection: after
    a restart it succeeds; while Redis is away the second attempt is refused
    as fast as the first.  Timeouts are not retried (the command may have
    run).  A connection that cannot be opened within
    ``REDIS_CONNECT_TIMEOUT``, or a command unanswered after
    ``REDIS_TIMEOUT``, fails as an outage instead of holding the request.
    Blocking pub/sub reads wait without a timeout.
    """
    return {
        "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
        "socket_timeout": REDIS_TIMEOUT,
        "retry": Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),
    }


@dataclass
class Backends:
    cache: Cache
    limiter: RateLimiter
    pubsub: PubSub
    redis: Redis | None = None
    kind: str = "memory"
    #: Values read on every request that change only by the hub's own
    #: writes (the rule version in force), kept per worker.
    values: NearValues = field(default_factory=NearValues)
    _closed: bool = field(default=False, repr=False)

    async def ping(self) -> bool:
        """Readiness: True when the backends answer (always, in process)."""
        if self.redis is None:
            return True
        try:
            return bool(await self.redis.ping())
        except Exception:  # readiness reports, it does not raise
            return False

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        await self.values.aclose()
        if isinstance(self.cache, NearCache):
            await self.cache.aclose()
        await self.pubsub.aclose()
        if self.redis is not None:
            await self.redis.aclose()


def make_backends(
    settings: Settings, *, monotonic: Callable[[], float] = time.monotonic, **kw: Any
) -> Backends:
    """Redis-backed when ``settings.redis_url`` is set, else in-process.

    In-process backends are only correct for a single worker; interfaces.md
    makes ``HUB_REDIS_URL`` required when running more than one.
    """
    if settings.redis_url:
        redis = Redis.from_url(settings.redis_url, **{**redis_options(), **kw})
        pubsub = RedisPubSub(redis)
        return Backends(
            # Client status is read on every request: kept in process,
            # invalidated over the bus (hub.auth.status; bound: NEAR_TTL).
            cache=NearCache(RedisCache(redis), pubsub, near=NEAR_KEYS, ttl=NEAR_TTL),
            # Counted a budget at a time (hub.backends.ratelimit: tolerance).
            limiter=BudgetRateLimiter(RedisRateLimiter(redis)),
            pubsub=pubsub,
            redis=redis,
            kind="redis",
        )
    return memory_backends(monotonic)


def memory_backends(monotonic: Callable[[], float] = time.monotonic) -> Backends:
    """In-process backends: one worker, nothing shared."""
    return Backends(
        cache=MemoryCache(monotonic=monotonic),
        limiter=MemoryRateLimiter(monotonic=monotonic),
        pubsub=MemoryPubSub(),
    )
