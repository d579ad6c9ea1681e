"""Is this client ACTIVE right now?  Asked on every request, so cached briefly.

Measured on the 2-core reference machine (``principal_from_request``, 2000
calls per case, busy machine, so ranges): ES256 verification 100-150 µs; an
uncached primary-key lookup brings the call to 0.5-0.9 ms on the request's
session and 1.5-2.5 ms on PostgreSQL when it checks out its own pooled
connection; with the status cached the call is 120-270 µs (in-process) or
220-510 µs (Redis).  So the status is kept in ``hub.cache`` (in-process, or
Redis shared by all workers) for ``TTL`` seconds.

Suspension must still bite at the next request (DESIGN.md, "Security"), so
the cache is written so that a stale "active" can never win:

* a lookup stores its answer with ``add`` (only if no entry exists);
* ``suspend`` *sets* an "inactive" entry before its transaction commits, so a
  lookup racing with the suspension cannot put "active" back;
* ``rotate_secret`` *sets* the new secret version the same way, so tokens
  issued under the old secret are refused from the next request on;
* ``reactivate`` deletes the entry; a racing lookup may cache "inactive" for
  at most ``TTL`` seconds — late, never unsafe.

With Redis, each worker also keeps a local copy of a status for up to
``hub.backends.factory.NEAR_TTL`` (1 s; ``NearCache``), so the per-request
check makes no round trip: every write above drops the writer's copy and is
announced on the bus, which drops the other workers' copies within
milliseconds; if a message is lost, a suspension or rotation still reaches
every worker within ``NEAR_TTL``.

A suspension that rolls back leaves the client refused for at most ``TTL``;
one whose transaction takes longer than ``TTL`` to commit may let the client
through for the remainder (GraphQL mutations commit at the end of their
request, well inside it).
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.auth import repository
from hub.auth.repository import ClientStatus

__all__ = ["TTL", "client_status", "forget", "mark_rotated", "mark_suspended"]

TTL = 2.0


def _key(client_id: str) -> str:
    return f"auth:client:{client_id}"


def _encode(status: ClientStatus) -> bytes:
    return json.dumps(list(status), ensure_ascii=False).encode()


# Decoded once per cached value (the same few clients call again and again).
@lru_cache(maxsize=4096)
def _decode(raw: bytes) -> ClientStatus | None:
    try:
        kind, name, active, version = json.loads(raw)
        return ClientStatus(str(kind), str(name), bool(active), int(version))
    except (ValueError, TypeError):
        return None  # unreadable (or written by an older release): look it up


async def client_status(
    id: str,
    *,
    cache: Any,
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession | None = None,
) -> ClientStatus | None:
    """The client's kind, name and active flag (``None``: no such client)."""
    key = _key(id)
    if cache is not None:
        raw = await cache.get(key)
        cached = None if raw is None else _decode(raw)
        if cached is not None:
            return cached
    if session is None:
        async with sessionmaker() as own:
            found = await repository.status(own, id)
    else:
        found = await repository.status(session, id)
    if found is not None and cache is not None:
        await cache.add(key, _encode(found), TTL)
    return found


async def mark_suspended(
    cache: Any, id: str, kind: str, name: str, secret_version: int = 0
) -> None:
    """Make every worker refuse the client from now on (see module doc)."""
    if cache is not None:
        status = ClientStatus(kind, name, False, secret_version)
        await cache.set(_key(id), _encode(status), TTL)


async def mark_rotated(cache: Any, id: str, status: ClientStatus) -> None:
    """Make every worker refuse tokens of older secret versions from now on.

    Written like a suspension (``set`` before the rotation commits), so a
    lookup racing with the rotation cannot put the older version back.
    """
    if cache is not None:
        await cache.set(_key(id), _encode(status), TTL)


async def forget(cache: Any, id: str) -> None:
    """Drop the cached status (after reactivation or a rename)."""
    if cache is not None:
        await cache.delete(_key(id))
