"""The live feed behind the ``events`` subscription.

The dispatcher publishes every routed event on ``hub.pubsub`` (channel
``events``) with its recipients; :func:`follow` yields, for one client, the
events it is a recipient of — each as that client may see it, decided and
audited when the event was routed (:mod:`hub.events.routing`).

A subscription outlives the token that opened it, so ``check`` (which
re-verifies the credential and raises when it is no longer good) runs on
every message **and** at least every ``every`` seconds without one: the
subscription ends within that time after the token expires or the client is
suspended, traffic or not (contract v2, "Subscriptions").
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from typing import TYPE_CHECKING, Any

from hub.auth.principal import Principal
from hub.backends.pubsub import Subscription
from hub.events import metrics
from hub.events import repository as repo

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = ["CHANNEL", "follow", "ticking"]

#: ``hub.pubsub`` channel of routed events (the dispatcher publishes there).
CHANNEL = "events"
_BACKLOG = 1000


async def ticking(
    sub: Subscription, every: float, check: Callable[[], Awaitable[None]]
) -> AsyncIterator[dict[str, Any]]:
    """``sub``'s messages, with ``check`` awaited before each one and at least
    every ``every`` seconds while none comes."""
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(_BACKLOG)

    async def pump() -> None:
        async for message in sub:
            if queue.full():  # a stalled reader loses its oldest messages
                queue.get_nowait()
            queue.put_nowait(message)

    reader = asyncio.create_task(pump())
    try:
        while True:
            try:
                message = await asyncio.wait_for(queue.get(), every)
            except TimeoutError:
                if reader.done():
                    reader.result()  # the bus failed: end with its error
                    return
                await check()
                continue
            await check()
            yield message
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await reader


async def follow(
    hub: Hub,
    principal: Principal,
    sub: Subscription,
    *,
    types: Collection[str] | None,
    check: Callable[[], Awaitable[None]],
    every: float,
) -> AsyncIterator[dict[str, Any]]:
    """The events ``principal`` hears of, as it may see them (payload dicts)."""
    async for message in ticking(sub, every, check):
        recipients = message.get("recipients") or {}
        rid = recipients.get(principal.id)
        if rid is None or (types and message.get("type") not in types):
            continue
        async with hub.sessionmaker() as session:
            payload = await repo.recipient_payload(session, int(rid), principal.id)
        if payload is None:
            continue
        metrics.DELIVERED.labels("subscription", "delivered").inc()
        yield payload
