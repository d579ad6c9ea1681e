"""One unit of work per request: one session, committed once or rolled back.

Sibling GraphQL resolvers run concurrently but an ``AsyncSession`` is not
safe for concurrent use, so database work happens inside ``async with
uow.db()``, which hands out the request's single session under a lock.
Services never commit; :meth:`UnitOfWork.finish` does, with the audit events
the door wrote, before the response leaves.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.db import commit, rollback
from hub.errors import ErrorCode, HubError

__all__ = ["UnitOfWork", "idempotency_race"]


def idempotency_race(error: BaseException | None) -> HubError | None:
    """Two requests raced with one idempotency key: the unique key refused the
    second.  Its client should retry and get the first request's result."""
    if isinstance(error, IntegrityError) and "idempotency" in str(error):
        return HubError(
            "Another request with this idempotency key is being processed; "
            "retry it to get that request's result.",
            ErrorCode.CONFLICT,
        )
    return None


class UnitOfWork:
    def __init__(self, maker: async_sessionmaker[AsyncSession]) -> None:
        self._maker = maker
        self._session: AsyncSession | None = None
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def db(self) -> AsyncIterator[AsyncSession]:
        async with self._lock:
            yield await self.session()

    async def session(self) -> AsyncSession:
        """The request's session (mutations, which run one at a time, may use it)."""
        if self._session is None:
            self._session = self._maker()
        return self._session

    async def release(self) -> None:
        """Commit what the request decided so far and give the connection back.

        For a request about to wait on something outside (an agency's HTTP
        API): a transaction left open meanwhile holds a pooled connection
        idle, and a slow source would drain the pool.  What is committed here
        is what has been decided — the door's audit events among it — so
        committing early never lets data out without its audit row; the
        session goes on in a new transaction.
        """
        async with self._lock:
            if self._session is None:
                return
            try:
                await commit(self._session)
            except Exception:
                await rollback(self._session, self._maker)
                raise

    async def finish(self, *, keep: bool) -> None:
        """Commit (with the audit events) when ``keep``, else roll back; close."""
        if self._session is None:
            return
        session, self._session = self._session, None
        try:
            if keep:
                try:
                    await commit(session)
                except Exception as exc:
                    # The data is dropped; the refusals among the audit
                    # events are still kept (hub.db.rollback).
                    await rollback(session, self._maker)
                    race = idempotency_race(exc)
                    if race is None:
                        raise
                    raise race from exc
            else:
                await rollback(session, self._maker)
        finally:
            await session.close()
