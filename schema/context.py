"""Per-request context: who is calling, and the request's one unit of work."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hub.auth.principal import Principal
from hub.db import commit, rollback
from hub.errors import ErrorCode, HubError
from hub.resources import Hub

__all__ = ["Context"]

T = TypeVar("T")


class Context:
    """``info.context`` of every resolver.

    Sibling resolvers run concurrently but an ``AsyncSession`` is not safe for
    concurrent use, so database work happens inside ``async with ctx.db()``,
    which hands out the request's single session under a lock.  Never await a
    DataLoader while holding it.
    """

    def __init__(
        self,
        *,
        hub: Hub,
        principal: Principal,
        request: Any = None,
        response: Any = None,
        auth_error: HubError | None = None,
    ) -> None:
        self.hub = hub
        self.principal = principal
        self.request = request
        self.response = response
        self.auth_error = auth_error
        self.loaders: dict[str, Any] = {}
        self._session: AsyncSession | None = None
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def db(self) -> AsyncIterator[AsyncSession]:
        async with self._lock:
            yield await self.session()

    async def session(self) -> AsyncSession:
        """The request's session (mutations, which run one at a time, may use it)."""
        if self._session is None:
            self._session = self.hub.sessionmaker()
        return self._session

    def loader(self, key: str, factory: Callable[[], T]) -> T:
        """One DataLoader per kind per request."""
        if key not in self.loaders:
            self.loaders[key] = factory()
        return self.loaders[key]  # type: ignore[no-any-return]

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
                    await rollback(session, self.hub.sessionmaker)
                    if not (
                        isinstance(exc, IntegrityError) and "idempotency" in str(exc)
                    ):
                        raise
                    # Two requests raced with one idempotency key; the first
                    # one's result is what a retry returns.
                    raise HubError(
                        "Another request with this idempotency key is being "
                        "processed; retry it to get that request's result.",
                        ErrorCode.CONFLICT,
                    ) from exc
            else:
                await rollback(session, self.hub.sessionmaker)
        finally:
            await session.close()
