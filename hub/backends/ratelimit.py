"""Per-principal rate limits over a fixed window.

``hit(key, limit, window_s)`` counts one request and answers whether it is
allowed and, if not, how many seconds until the window resets (the
``Retry-After`` a client should honour).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Protocol

from redis.asyncio import Redis

__all__ = ["MemoryRateLimiter", "RateLimiter", "RedisRateLimiter"]


class RateLimiter(Protocol):
    async def hit(self, key: str, limit: int, window_s: float) -> tuple[bool, float]:
        """Count one request for ``key``; return (allowed, retry_after seconds)."""
        ...


class MemoryRateLimiter:
    """Fixed windows kept in process memory (single-worker deployments)."""

    def __init__(
        self, monotonic: Callable[[], float] = time.monotonic, max_keys: int = 100_000
    ) -> None:
        self._now = monotonic
        self.max_keys = max_keys
        self._windows: dict[str, tuple[float, int]] = {}  # key -> (reset_at, count)

    async def hit(self, key: str, limit: int, window_s: float) -> tuple[bool, float]:
        now = self._now()
        reset_at, count = self._windows.get(key, (0.0, 0))
        if reset_at <= now:
            if len(self._windows) >= self.max_keys:
                self._sweep(now)
            reset_at, count = now + window_s, 0
        count += 1
        self._windows[key] = (reset_at, count)
        if count <= limit:
            return True, 0.0
        return False, reset_at - now

    def _sweep(self, now: float) -> None:
        for stale in [k for k, (reset, _) in self._windows.items() if reset <= now]:
            del self._windows[stale]


# INCR and PEXPIRE in one script, so the counter can never be left without an
# expiry (which would lock a principal out for good) and workers agree.
_HIT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""


class RedisRateLimiter:
    """Fixed windows in Redis, shared by every worker (atomic Lua script)."""

    def __init__(self, redis: Redis, prefix: str = "hub:rate:") -> None:
        self.redis = redis
        self.prefix = prefix
        self._script = redis.register_script(_HIT)

    async def hit(self, key: str, limit: int, window_s: float) -> tuple[bool, float]:
        window_ms = max(1, math.ceil(window_s * 1000))
        count, ttl_ms = await self._script(keys=[self.prefix + key], args=[window_ms])
        if int(count) <= limit:
            return True, 0.0
        return False, int(ttl_ms) / 1000
