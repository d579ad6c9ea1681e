"""Backend outages: told apart from bugs, answered with a code, logged once a minute.

With the database or Redis unreachable every request fails the same way; a
traceback per request would bury everything else in the log and tells the
operator nothing the first line did not.  So the request boundaries (the
token endpoint, the GraphQL view, the background sealer) ask
:func:`outage_of` whether a failure is a backend being away, answer it as
such (503 at the token endpoint, ``INTERNAL`` in GraphQL) and report it to
the hub's :class:`OutageLog` (``hub.outages``), which logs one line per
backend per minute with the count of failures it did not log.

>>> outage_of(ConnectionRefusedError(111, "Connection refused"))
'database'
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import asyncpg
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from hub.errors import HubError

__all__ = ["OUTAGE_MESSAGE", "BackendOutage", "OutageLog", "outage_of"]

log = logging.getLogger("hub.outage")

OUTAGE_MESSAGE = (
    "The hub cannot reach its {backend} right now; nothing was done. "
    "Try again in a minute."
)


# Failures that mean the database is away (not that a statement was wrong):
# asyncpg's connection class 08, operator shutdowns, too many connections.
_PG_AWAY = (
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.TooManyConnectionsError,
)
# SQLite's file cannot be opened, read, or locked within the busy timeout.
_SQLITE_AWAY = ("unable to open database file", "disk i/o error", "database is locked")


def _database_away(error: BaseException) -> bool:
    if isinstance(error, (PoolTimeout, *_PG_AWAY)):
        return True
    if isinstance(error, DBAPIError):
        if error.connection_invalidated:
            return True
        if isinstance(error, OperationalError) and any(
            m in str(error.orig).lower() for m in _SQLITE_AWAY
        ):
            return True
    # asyncpg raises its connect errors (refused, reset, timed out) unwrapped
    return isinstance(error, ConnectionError | TimeoutError)


def outage_of(error: BaseException | None) -> str | None:
    """``"database"`` or ``"redis"`` when ``error`` means that backend is away.

    A statement the database refused (a missing table, a constraint) is not
    an outage: it stays an ``INTERNAL`` error logged with its traceback.
    """
    seen = 0
    while error is not None and seen < 8:
        if isinstance(error, HubError):
            # A coded answer (e.g. a subscription whose token lapsed while a
            # wait timed out) is not an outage, whatever it was raised during.
            return None
        if isinstance(error, RedisConnectionError | RedisTimeoutError):
            return "redis"
        if _database_away(error):
            return "database"
        error, seen = error.__cause__ or error.__context__, seen + 1
    return None


@dataclass
class OutageLog:
    """One log line per backend per ``every`` seconds while it is away."""

    every: float = 60.0
    monotonic: Callable[[], float] = time.monotonic
    _last: dict[str, float] = field(default_factory=dict)
    _quiet: dict[str, int] = field(default_factory=dict)

    def report(self, backend: str, error: BaseException) -> None:
        now = self.monotonic()
        last = self._last.get(backend)
        if last is not None and now - last < self.every:
            self._quiet[backend] = self._quiet.get(backend, 0) + 1
            return
        self._last[backend] = now
        quiet = self._quiet.pop(backend, 0)
        log.error(
            "%s unavailable: %s: %s%s",
            backend,
            type(error).__name__,
            str(error).splitlines()[0][:200] if str(error) else "",
            f" ({quiet} more failures in the last minute not logged)" if quiet else "",
        )


class BackendOutage(Exception):
    """What a request failed on when a backend was away (``backend`` names it)."""

    def __init__(self, backend: str) -> None:
        super().__init__(OUTAGE_MESSAGE.format(backend=backend))
        self.backend = backend
