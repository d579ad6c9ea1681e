"""Rate limits over a moving window.

``hit(key, limit, window_s)`` counts one request for ``key`` and answers
whether it is allowed and, if not, how many seconds until it would be (the
``Retry-After`` a client should honour).  At most ``limit`` requests are
allowed in *any* ``window_s`` seconds — a fixed window lets a client send
twice the limit across a window boundary, which for the token endpoint
doubles the secrets an attacker may guess.  A refused request is not
counted, so a client that waits as told is served.

Each key keeps the times of its last ``limit`` allowed requests (newest
first), like the moving window of the ``limits`` library.  That library was
considered and not used: its asyncio in-memory storage expires entries in a
pass over every key, one thread hop per key, started from the hits
themselves; its Redis storage stamps entries with each worker's own clock.
Here the in-process limiter keeps a deque per key with an injectable clock,
and the Redis one stamps entries with the Redis server's clock (``TIME``) in
one script, so every worker agrees.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

from redis.asyncio import Redis

__all__ = ["MemoryRateLimiter", "RateLimiter", "RedisRateLimiter"]


class RateLimiter(Protocol):
    async def hit(self, key: str, limit: int, window_s: float) -> tuple[bool, float]:
        """Count one request for ``key``; return (allowed, retry_after seconds)."""
        ...


class MemoryRateLimiter:
    """Moving windows kept in process memory (single-worker deployments)."""

    def __init__(
        self, monotonic: Callable[[], float] = time.monotonic, max_keys: int = 100_000
    ) -> None:
        self._now = monotonic
        self.max_keys = max_keys
        # key -> (window seconds, times of the allowed requests, oldest first)
        self._hits: dict[str, tuple[float, deque[float]]] = {}

    async def hit(self, key: str, limit: int, window_s: float) -> tuple[bool, float]:
        if limit < 1:
            return False, window_s
        now = self._now()
        found = self._hits.get(key)
        if found is None:
            if len(self._hits) >= self.max_keys:
                self._sweep(now)
            found = self._hits[key] = (window_s, deque())
        _, times = found
        while times and times[0] <= now - window_s:
            times.popleft()
        if len(times) >= limit:
            # Allowed again once the oldest request of the window leaves it.
            return False, times[len(times) - limit] + window_s - now
        times.append(now)
        return True, 0.0

    def _sweep(self, now: float) -> None:
        for stale in [
            k
            for k, (w, times) in self._hits.items()
            if not times or times[-1] <= now - w
        ]:
            del self._hits[stale]


# The list holds the allowed requests' times in ms, newest first, trimmed to
# the limit; the entry at index limit-1 is the oldest that still counts.
# Stamped with the server's clock, so workers with skewed clocks agree.
_HIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local oldest = redis.call('LINDEX', KEYS[1], limit - 1)
if oldest and tonumber(oldest) > now - window then
  return {0, tonumber(oldest) + window - now}
end
redis.call('LPUSH', KEYS[1], now)
redis.call('LTRIM', KEYS[1], 0, limit - 1)
redis.call('PEXPIRE', KEYS[1], window)
return {1, 0}
"""


class RedisRateLimiter:
    """Moving windows in Redis, shared by every worker (one atomic script)."""

    def __init__(self, redis: Redis, prefix: str = "hub:rate:") -> None:
        self.redis = redis
        self.prefix = prefix
        self._script = redis.register_script(_HIT)

    async def hit(self, key: str, limit: int, window_s: float) -> tuple[bool, float]:
        if limit < 1:
            return False, window_s
        window_ms = max(1, math.ceil(window_s * 1000))
        allowed, wait_ms = await self._script(
            keys=[self.prefix + key], args=[limit, window_ms]
        )
        if int(allowed):
            return True, 0.0
        return False, max(int(wait_ms), 1) / 1000
