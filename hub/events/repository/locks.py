"""Holding rows while a worker works on them, on both databases.

On PostgreSQL, ``SELECT … FOR UPDATE SKIP LOCKED`` lets workers take
different rows without waiting for each other.  SQLite has a single writer: a
transaction first takes the write lock (a no-op UPDATE, as the audit sealer
does), then reads, so two dispatchers on one file take turns and never both
see a row as free.
"""

from __future__ import annotations

from sqlalchemy import (
    Table,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["postgres", "sqlite_write_lock"]


def postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


async def sqlite_write_lock(session: AsyncSession, table: Table, column: str) -> None:
    # SQLite: take the (single) write lock before reading, so what this
    # transaction reads as free stays free until it commits (a no-op UPDATE
    # takes it, as the audit sealer does).
    await session.execute(
        update(table).where(text("1 = 0")).values({column: table.c[column]})
    )
