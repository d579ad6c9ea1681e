"""Subscriptions end when their credential lapses — with or without a message.

A subscription outlives the request that opened it.  Contract v2: it ends
within 5 s after its token expires, its client is suspended or its secret is
rotated, *without waiting for a message*.  :func:`while_credentials_hold`
wraps any message stream of a subscription: it races the next message
against a re-check of the credential every ``HUB_SUBSCRIPTION_RECHECK_SECONDS``
(default 1 s) and ends the stream with ``UNAUTHENTICATED`` at the first check
that fails::

    async with ctx.hub.pubsub.subscribe(CHANNEL) as sub:
        async for message in while_credentials_hold(ctx, sub):
            ...

A re-check is cheap: the token's signature check is cached and the client's
status comes from ``hub.cache`` (a suspension or rotation is written there at
once, see ``hub.auth.status``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any, TypeVar

from hub.auth.authenticate import principal_from_request
from hub.errors import ErrorCode, HubError

__all__ = ["still_authenticated", "while_credentials_hold"]

T = TypeVar("T")


async def still_authenticated(ctx: Any) -> None:
    """Re-verify the subscriber's credential; raise ``UNAUTHENTICATED`` if stale.

    The principal does not keep the token's ``exp``, so the credential the
    socket authenticated with (``SocketContext.authorization``) is verified
    again: signature, expiry, secret version, and that the client is still
    ACTIVE (``hub.auth.status.client_status``, where a suspension always wins).
    """
    try:
        found = await principal_from_request(
            getattr(ctx, "authorization", None), ctx.hub
        )
    except HubError as exc:
        raise HubError(
            f"{exc.message} This subscription has ended; reconnect with a new token.",
            ErrorCode.UNAUTHENTICATED,
        ) from None
    if found is None or found.id != ctx.principal.id:
        raise HubError(
            "This subscription's credentials are no longer valid; reconnect with "
            "a new token.",
            ErrorCode.UNAUTHENTICATED,
        )


async def while_credentials_hold(
    ctx: Any, source: AsyncIterator[T]
) -> AsyncGenerator[T, None]:
    """Items of ``source`` while the subscriber's credential holds (see module)."""
    every = float(ctx.hub.settings.subscription_recheck_seconds)
    await still_authenticated(ctx)  # the socket may be older than the token
    pending: asyncio.Future[T] | None = None
    try:
        while True:
            if pending is None:
                pending = asyncio.ensure_future(anext(source))
            done, _ = await asyncio.wait({pending}, timeout=every)
            if not done:
                await still_authenticated(ctx)
                continue
            ready, pending = pending, None
            try:
                item = ready.result()
            except StopAsyncIteration:
                return
            await still_authenticated(ctx)  # the message may be older than now
            yield item
    finally:
        if pending is not None:
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                await pending
