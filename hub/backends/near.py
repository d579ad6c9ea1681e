"""Small values read from the database, kept per worker until they change.

``NearValues`` holds, per process, values that are read on every request
but change rarely and only through the hub (e.g. which published rule
version is in force).  A change is announced with :meth:`NearValues.changed`
once it is committed: this process drops its copy at once and publishes the
key on the bus; every other process drops its copy when the message
arrives (milliseconds).  Should a message be lost, a copy is never used
longer than ``ttl`` seconds.  While a process is not subscribed it keeps no
copies and every read goes to the database.

A read that raced with a change (it began before the change was announced)
is served but not kept, so a stale value cannot outlive the announcement.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from hub.backends.pubsub import PubSub

__all__ = ["NearValues"]


class NearValues:
    """Per-process copies of small values, invalidated over the bus."""

    def __init__(
        self,
        *,
        ttl: float = 5.0,
        channel: str = "near-values",
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl, self.channel, self._now = ttl, channel, monotonic
        self._values: dict[str, tuple[float, Any]] = {}
        self._generation = 0
        self._bus: PubSub | None = None
        self._listener: asyncio.Task[None] | None = None
        self._subscribed = False
        self._retry_at = 0.0

    def _listening(self, bus: PubSub) -> bool:
        if bus is not self._bus:  # another hub's bus (tests): start afresh
            self._stop()
            self._bus = bus
        task = self._listener
        if task is None or task.done():
            now = time.monotonic()
            if now >= self._retry_at:
                self._retry_at = now + 1.0
                self._listener = asyncio.create_task(
                    self._listen(bus), name="near-values-listener"
                )
        return self._subscribed

    async def _listen(self, bus: PubSub) -> None:
        try:
            async with bus.subscribe(self.channel) as sub:
                self._subscribed = True
                async for message in sub:
                    self.drop(str(message.get("key")))
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: S110 - reads go to the database meanwhile
            pass
        finally:
            # Copies kept while unsubscribed could miss an invalidation.
            self._subscribed = False
            self.drop(None)

    def drop(self, key: str | None) -> None:
        self._generation += 1
        if key is None:
            self._values.clear()
        else:
            self._values.pop(key, None)

    def _stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            self._listener = None
        self._subscribed = False
        self.drop(None)

    async def get(
        self, key: str, bus: PubSub, load: Callable[[], Awaitable[Any]]
    ) -> Any:
        """The value of ``key``: this process's copy, else ``load()``."""
        if not self._listening(bus):
            return await load()
        found = self._values.get(key)
        if found is not None and found[0] > self._now():
            return found[1]
        generation = self._generation
        value = await load()
        if generation == self._generation and self._subscribed:
            self._values[key] = (self._now() + self.ttl, value)
        return value

    async def changed(self, key: str, bus: PubSub) -> None:
        """Announce a committed change of ``key`` to every process."""
        self.drop(key)
        await bus.publish(self.channel, {"key": key})

    async def aclose(self) -> None:
        task = self._listener
        self._stop()
        if task is not None:
            try:
                await task
            except (asyncio.CancelledError, Exception):
                pass
