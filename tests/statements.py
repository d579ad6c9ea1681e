"""Count the statements PostgreSQL executes for an engine's connections.

Every statement asyncpg sends — through SQLAlchemy or directly on a pooled
driver connection, simple queries (BEGIN, COMMIT), prepared executions and
COPY alike — goes through the connection's protocol; :class:`Statements` wraps
the protocol of each connection the engine hands out and counts one per
execution (an ``executemany`` of N rows counts N: the server runs N).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["Statements", "counting"]


class Statements:
    def __init__(self) -> None:
        self.sql: list[str] = []
        self.on = False

    def note(self, query: str, n: int = 1) -> None:
        if self.on:
            self.sql.extend([query] * n)

    @property
    def count(self) -> int:
        return len(self.sql)


class _CountingProtocol:
    """The connection's protocol, counting what it executes."""

    def __init__(self, inner: Any, seen: Statements) -> None:
        self._inner, self._seen = inner, seen

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def query(self, query: str, *args: Any, **kw: Any) -> Any:
        self._seen.note(query)
        return await self._inner.query(query, *args, **kw)

    async def bind_execute(self, state: Any, *args: Any, **kw: Any) -> Any:
        self._seen.note(state.query)
        return await self._inner.bind_execute(state, *args, **kw)

    async def bind_execute_many(
        self, state: Any, args: Any, *rest: Any, **kw: Any
    ) -> Any:
        rows = list(args)
        self._seen.note(state.query, len(rows))
        return await self._inner.bind_execute_many(state, rows, *rest, **kw)

    async def copy_in(self, copy_stmt: str, *args: Any, **kw: Any) -> Any:
        self._seen.note(copy_stmt)
        return await self._inner.copy_in(copy_stmt, *args, **kw)


@contextmanager
def counting(engine: AsyncEngine) -> Iterator[Statements]:
    """Count statements on ``engine``'s connections while ``seen.on``."""
    seen = Statements()

    def checkout(_dbapi: Any, record: Any, _proxy: Any) -> None:
        conn = record.driver_connection
        if not isinstance(conn._protocol, _CountingProtocol):
            conn._protocol = _CountingProtocol(conn._protocol, seen)
        else:
            conn._protocol._seen = seen

    event.listen(engine.sync_engine, "checkout", checkout)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "checkout", checkout)
