"""A byte-valued cache with per-key TTL.

Callers encode their values (JSON) themselves, so both implementations store
exactly the same bytes.  ``add`` (set only if absent) doubles as a short
cross-worker lock, e.g. so that several workers do not all pull one source.

>>> import asyncio
>>> cache = MemoryCache()
>>> asyncio.run(cache.set("k", b"v", ttl=60))
>>> asyncio.run(cache.get("k"))
b'v'
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

from redis.asyncio import Redis

from hub.backends.pubsub import PubSub

__all__ = ["Cache", "MemoryCache", "NearCache", "RedisCache"]


class Cache(Protocol):
    """What the hub needs from a cache."""

    async def get(self, key: str) -> bytes | None:
        """The value, or None when absent or expired."""
        ...

    async def set(self, key: str, value: bytes, ttl: float) -> None:
        """Store ``value`` for ``ttl`` seconds (replacing any previous value)."""
        ...

    async def add(self, key: str, value: bytes, ttl: float) -> bool:
        """Store only if ``key`` is absent; True when this call stored it."""
        ...

    async def delete(self, key: str) -> None: ...


class MemoryCache:
    """In-process LRU cache with TTL; ``monotonic`` is injectable for tests."""

    def __init__(
        self, max_entries: int = 10_000, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.max_entries = max_entries
        self._now = monotonic
        self._data: OrderedDict[str, tuple[float, bytes]] = OrderedDict()

    def _live(self, key: str) -> bytes | None:
        item = self._data.get(key)
        if item is None:
            return None
        expires, value = item
        if expires <= self._now():
            del self._data[key]
            return None
        self._data.move_to_end(key)
        return value

    async def get(self, key: str) -> bytes | None:
        return self._live(key)

    async def set(self, key: str, value: bytes, ttl: float) -> None:
        self._data[key] = (self._now() + ttl, bytes(value))
        self._data.move_to_end(key)
        # Bounded: evict the least recently used entries beyond the limit.
        while len(self._data) > self.max_entries:
            self._data.popitem(last=False)

    async def add(self, key: str, value: bytes, ttl: float) -> bool:
        if self._live(key) is not None:
            return False
        await self.set(key, value, ttl)
        return True

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)

    def __len__(self) -> int:
        return len(self._data)


class RedisCache:
    """Cache in Redis; keys are namespaced with ``prefix``."""

    def __init__(self, redis: Redis, prefix: str = "hub:cache:") -> None:
        self.redis = redis
        self.prefix = prefix

    async def get(self, key: str) -> bytes | None:
        value = await self.redis.get(self.prefix + key)
        if value is None:
            return None
        return value.encode() if isinstance(value, str) else bytes(value)

    async def set(self, key: str, value: bytes, ttl: float) -> None:
        await self.redis.set(self.prefix + key, value, px=_millis(ttl))

    async def add(self, key: str, value: bytes, ttl: float) -> bool:
        stored = await self.redis.set(
            self.prefix + key, value, px=_millis(ttl), nx=True
        )
        return bool(stored)

    async def delete(self, key: str) -> None:
        await self.redis.delete(self.prefix + key)


def _millis(ttl: float) -> int:
    # Redis refuses a zero expiry; anything shorter than 1 ms is 1 ms.
    return max(1, int(ttl * 1000))


class NearCache:
    """A shared cache with a process-local copy of some keys, kept honest by
    invalidation messages.

    Keys starting with one of ``near`` are read from a local copy for up to
    ``ttl`` seconds — no round trip to the shared cache.  Every write of such
    a key (``set``, ``add`` that stored, ``delete``) drops this process's copy
    at once and publishes the key on ``channel``; each process's listener
    drops its copy when the message arrives.  So a change reaches every
    worker as fast as the bus delivers (milliseconds), and at worst — a lost
    message, a broken subscription — once the local copy expires after
    ``ttl``.  While the listener is not subscribed, reads go to the shared
    cache.  Other keys pass straight through.
    """

    def __init__(
        self,
        shared: Cache,
        bus: PubSub,
        *,
        near: tuple[str, ...],
        ttl: float = 1.0,
        channel: str = "cache-invalidate",
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.shared, self.bus = shared, bus
        self.near, self.ttl, self.channel = near, ttl, channel
        self.local = MemoryCache(monotonic=monotonic)
        self._listener: asyncio.Task[None] | None = None
        self._subscribed = False
        self._retry_at = 0.0

    def _listening(self) -> bool:
        task = self._listener
        if task is None or task.done():
            # (Re)subscribe at most once a second: while the bus is down,
            # reads go to the shared cache, which reports the outage.
            now = time.monotonic()
            if now >= self._retry_at:
                self._retry_at = now + 1.0
                self._listener = asyncio.create_task(
                    self._listen(), name="near-cache-listener"
                )
        return self._subscribed

    async def _listen(self) -> None:
        try:
            async with self.bus.subscribe(self.channel) as sub:
                self._subscribed = True
                async for message in sub:
                    await self.local.delete(str(message.get("key")))
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: S110 - reads fall back to the shared cache
            pass
        finally:
            # Copies kept while unsubscribed could miss an invalidation.
            self._subscribed = False
            self.local = MemoryCache(monotonic=self.local._now)

    async def get(self, key: str) -> bytes | None:
        if not key.startswith(self.near) or not self._listening():
            return await self.shared.get(key)
        value = await self.local.get(key)
        if value is None:
            value = await self.shared.get(key)
            if value is not None:
                await self.local.set(key, value, self.ttl)
        return value

    async def _changed(self, key: str) -> None:
        if key.startswith(self.near):
            await self.local.delete(key)
            await self.bus.publish(self.channel, {"key": key})

    async def set(self, key: str, value: bytes, ttl: float) -> None:
        await self.shared.set(key, value, ttl)
        await self._changed(key)

    async def add(self, key: str, value: bytes, ttl: float) -> bool:
        stored = await self.shared.add(key, value, ttl)
        if stored:
            await self._changed(key)
        return stored

    async def delete(self, key: str) -> None:
        await self.shared.delete(key)
        await self._changed(key)

    async def aclose(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            try:
                await self._listener
            except (asyncio.CancelledError, Exception):
                pass
            self._listener = None
