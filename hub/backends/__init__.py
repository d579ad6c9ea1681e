"""Cache, rate-limit and pub/sub backends: in-process by default, Redis in production.

Each concept is a small Protocol with two implementations that run the same
tests (DESIGN.md "Same code, two backends"); :func:`make_backends` picks them
from the settings.
"""

from hub.backends.cache import Cache, MemoryCache, NearCache, RedisCache
from hub.backends.factory import Backends, make_backends
from hub.backends.pubsub import MemoryPubSub, PubSub, RedisPubSub
from hub.backends.ratelimit import (
    BudgetRateLimiter,
    MemoryRateLimiter,
    RateLimiter,
    RedisRateLimiter,
)

__all__ = [
    "Backends",
    "BudgetRateLimiter",
    "Cache",
    "MemoryCache",
    "MemoryPubSub",
    "MemoryRateLimiter",
    "NearCache",
    "PubSub",
    "RateLimiter",
    "RedisCache",
    "RedisPubSub",
    "RedisRateLimiter",
    "make_backends",
]
