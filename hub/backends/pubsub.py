"""Publish/subscribe of JSON messages (risk alerts, cache invalidation).

``subscribe`` returns a :class:`Subscription`: an async iterator of dicts that
is also an async context manager.  Enter it (or ``await sub.start()``) before
publishing anything it must see; leaving it unsubscribes.

>>> async def demo(bus):
...     async with bus.subscribe("alerts") as sub:
...         await bus.publish("alerts", {"uscc": "91350100M000100Y43"})
...         return await anext(sub)
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from typing import Any, Protocol

from redis.asyncio import Redis
from redis.asyncio.client import PubSub as _RedisPubSub

__all__ = ["MemoryPubSub", "PubSub", "RedisPubSub", "Subscription"]


class Subscription(Protocol):
    async def start(self) -> None: ...

    async def aclose(self) -> None: ...

    def __aiter__(self) -> Subscription: ...

    async def __anext__(self) -> dict[str, Any]: ...

    async def __aenter__(self) -> Subscription: ...

    async def __aexit__(self, *exc: object) -> None: ...


class PubSub(Protocol):
    async def publish(self, channel: str, message: dict[str, Any]) -> None: ...

    def subscribe(self, channel: str) -> Subscription: ...

    async def aclose(self) -> None: ...


class _Base:
    async def __aenter__(self) -> Any:
        await self.start()  # type: ignore[attr-defined]
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()  # type: ignore[attr-defined]

    def __aiter__(self) -> Any:
        return self


class _MemorySubscription(_Base):
    def __init__(self, bus: MemoryPubSub, channel: str, maxsize: int) -> None:
        self._bus, self.channel = bus, channel
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize)
        # Registered at once, so nothing published after subscribe() is missed.
        bus._subscribers[channel].add(self)

    async def start(self) -> None:
        return None

    def deliver(self, message: dict[str, Any]) -> None:
        if self.queue.full():
            # A stalled reader loses its oldest messages, never blocks publishers.
            self.queue.get_nowait()
        self.queue.put_nowait(message)

    async def __anext__(self) -> dict[str, Any]:
        if self not in self._bus._subscribers.get(self.channel, ()):
            raise StopAsyncIteration
        return await self.queue.get()

    async def aclose(self) -> None:
        self._bus._subscribers[self.channel].discard(self)


class MemoryPubSub:
    """In-process bus: each subscriber has its own bounded queue."""

    def __init__(self, maxsize: int = 1000) -> None:
        self.maxsize = maxsize
        self._subscribers: defaultdict[str, set[_MemorySubscription]] = defaultdict(set)

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        # Round-trip through JSON so both backends hand out equal, unshared dicts.
        payload = json.loads(json.dumps(message))
        for sub in list(self._subscribers.get(channel, ())):
            sub.deliver(json.loads(json.dumps(payload)))

    def subscribe(self, channel: str) -> _MemorySubscription:
        return _MemorySubscription(self, channel, self.maxsize)

    async def aclose(self) -> None:
        self._subscribers.clear()


class _RedisSubscription(_Base):
    def __init__(self, redis: Redis, channel: str) -> None:
        self.channel = channel
        self._ps: _RedisPubSub = redis.pubsub(ignore_subscribe_messages=True)
        self._started = False

    async def start(self) -> None:
        if not self._started:
            await self._ps.subscribe(self.channel)
            self._started = True

    async def __anext__(self) -> dict[str, Any]:
        await self.start()
        while True:
            msg = await self._ps.get_message(
                ignore_subscribe_messages=True, timeout=None
            )
            if msg is not None and msg.get("type") == "message":
                return dict(json.loads(msg["data"]))

    async def aclose(self) -> None:
        await self._ps.aclose()


class RedisPubSub:
    """Redis PUBLISH/SUBSCRIBE; every worker's subscribers receive each message."""

    def __init__(self, redis: Redis, prefix: str = "hub:bus:") -> None:
        self.redis = redis
        self.prefix = prefix

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        await self.redis.publish(self.prefix + channel, json.dumps(message))

    def subscribe(self, channel: str) -> _RedisSubscription:
        return _RedisSubscription(self.redis, self.prefix + channel)

    async def aclose(self) -> None:
        return None
