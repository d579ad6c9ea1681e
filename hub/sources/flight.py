"""Single-flight: concurrent callers with the same key share one call.

The leader (the caller that started the call) keeps the finished call
visible until it has stored the result, so a caller arriving in between
shares it too instead of starting another::

    result, leader = await flights.run(key, pull)
    try:
        ...store result...
    finally:
        if leader:
            flights.forget(key)
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["SingleFlight"]

T = TypeVar("T")


class SingleFlight(Generic[T]):
    """Per-process; across workers the service adds a short lock key in the cache."""

    def __init__(self) -> None:
        self._calls: dict[Hashable, asyncio.Future[T]] = {}

    async def run(
        self, key: Hashable, call: Callable[[], Awaitable[T]]
    ) -> tuple[T, bool]:
        """Return (result, leader): ``leader`` is True for the caller that ran it.

        The leader must call :meth:`forget` once it is done with the result.
        """
        future = self._calls.get(key)
        leader = future is None
        if future is None:
            future = asyncio.ensure_future(call())
            self._calls[key] = future
        try:
            # Shielded: one impatient caller leaving does not cancel everyone's call.
            return await asyncio.shield(future), leader
        except BaseException:
            if leader:
                self.forget(key)
            raise

    def forget(self, key: Hashable) -> None:
        self._calls.pop(key, None)
