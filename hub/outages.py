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

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

__all__ = ["OUTAGE_MESSAGE", "BackendOutage", "OutageLog", "outage_of"]

log = logging.getLogger("hub.outage")

OUTAGE_MESSAGE = (
    "The hub cannot reach its {backend} right now; nothing was done. "
    "Try again in a minute."
)


def outage_of(error: BaseException | None) -> str | None:
    """``"database"`` or ``"redis"`` when ``error`` means that backend is away."""
    seen = 0
    while error is not None and seen < 8:
        if isinstance(error, RedisConnectionError | RedisTimeoutError):
            return "redis"
        if isinstance(error, OperationalError | InterfaceError | PoolTimeout):
            return "database"
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            return "database"
        if isinstance(error, ConnectionError | TimeoutError):
            # asyncpg's own connect errors (refused, reset) before SQLAlchemy
            # wraps them; Redis errors were matched above.
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
