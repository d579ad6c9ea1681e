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

import asyncio
import math
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

from redis.asyncio import Redis

__all__ = [
    "BudgetRateLimiter",
    "MemoryRateLimiter",
    "RateLimiter",
    "RedisRateLimiter",
]


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


# Take up to ARGV[3] slots at once: all of them if the window has room for
# them all, else one if it has room for one (same list as _HIT).
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
local edge = redis.call('LINDEX', KEYS[1], limit - n)
if edge and tonumber(edge) > now - window then
  n = 1
  local oldest = redis.call('LINDEX', KEYS[1], limit - 1)
  if oldest and tonumber(oldest) > now - window then
    return {0, tonumber(oldest) + window - now}
  end
end
for _ = 1, n do redis.call('LPUSH', KEYS[1], now) end
redis.call('LTRIM', KEYS[1], 0, limit - 1)
redis.call('PEXPIRE', KEYS[1], window)
return {n, 0}
"""


class RedisRateLimiter:
    """Moving windows in Redis, shared by every worker (one atomic script)."""

    def __init__(self, redis: Redis, prefix: str = "hub:rate:") -> None:
        self.redis = redis
        self.prefix = prefix
        self._script = redis.register_script(_HIT)
        self._take = redis.register_script(_TAKE)

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

    async def take(
        self, key: str, limit: int, window_s: float, n: int
    ) -> tuple[int, float]:
        """Count up to ``n`` requests at once: ``(slots taken, retry_after)``;
        ``n`` when the window has room for them all, else 1 or 0."""
        window_ms = max(1, math.ceil(window_s * 1000))
        taken, wait_ms = await self._take(
            keys=[self.prefix + key], args=[limit, window_ms, n]
        )
        if int(taken):
            return int(taken), 0.0
        return 0, max(int(wait_ms), 1) / 1000


class BudgetRateLimiter:
    """Redis moving windows, counted a budget at a time per worker.

    A worker takes ``limit // share`` slots (1 % of the limit by default, at
    most ``most``) of a key's window from Redis in one call and spends them
    locally, so most requests make no round trip.  Limits under ``share`` × 2
    (the token and anonymous limits) stay exact: one slot per call, as
    :class:`RedisRateLimiter`.

    Tolerance, with W workers and a budget of n: a slot is stamped when it
    is taken and spent within one window of that, so in any window a key is
    allowed at most ``limit + W × (n − 1)`` requests, and it may be refused
    while up to ``W × (n − 1)`` slots lie unspent in other workers.  For the
    default 1,200 per minute and 2 workers: ±22 (under 2 %).

    Concurrent requests that find a key's budget spent wait for one take
    instead of each taking a budget (and all but the last being lost).
    """

    def __init__(
        self,
        redis: RedisRateLimiter,
        *,
        share: int = 100,
        most: int = 100,
        monotonic: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        self.redis, self.share, self.most = redis, share, most
        self._now = monotonic
        self.max_keys = max_keys
        # key -> (slots left, usable until)
        self._budgets: dict[str, tuple[int, float]] = {}
        # key -> the take in flight: None when it brought slots, else the
        # seconds its refusal gave (one round trip per key at a time).
        self._flights: dict[str, asyncio.Future[float | None]] = {}

    async def hit(self, key: str, limit: int, window_s: float) -> tuple[bool, float]:
        n = min(limit // self.share, self.most)
        if n < 2:
            return await self.redis.hit(key, limit, window_s)
        while True:
            now = self._now()
            left, until = self._budgets.get(key, (0, 0.0))
            if left > 0 and now < until:
                self._budgets[key] = (left - 1, until)
                return True, 0.0
            flight = self._flights.get(key)
            if flight is None:
                break
            # Another request of this worker is taking the key's next budget:
            # spend from it rather than take (and strand) one more.
            refused = await asyncio.shield(flight)
            if refused is not None:
                return False, refused
        flight = asyncio.get_running_loop().create_future()
        self._flights[key] = flight
        refused = None
        try:
            taken, retry_after = await self.redis.take(key, limit, window_s, n)
            if not taken:
                self._budgets.pop(key, None)
                refused = retry_after
                return False, retry_after
            if len(self._budgets) >= self.max_keys:
                self._budgets = {
                    k: v for k, v in self._budgets.items() if v[0] and v[1] > now
                }
            self._budgets[key] = (taken - 1, now + window_s)
            return True, 0.0
        finally:
            # Waiters are refused with this request, or spend the new budget
            # (after a failure each tries Redis itself).
            del self._flights[key]
            flight.set_result(refused)
        taken, retry_after = await self.redis.take(key, limit, window_s, n)
        if not taken:
            self._budgets.pop(key, None)
            return False, retry_after
        if len(self._budgets) >= self.max_keys:
            self._budgets = {
                k: v for k, v in self._budgets.items() if v[0] and v[1] > now
            }
        self._budgets[key] = (taken - 1, now + window_s)
        return True, 0.0
