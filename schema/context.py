"""Per-request context: who is calling, and the request's one unit of work."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from hub.auth.principal import Principal
from hub.errors import HubError
from hub.resources import Hub
from hub.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["Context"]

T = TypeVar("T")


class Context:
    """``info.context`` of every resolver.

    Database work happens inside ``async with ctx.db() as session`` (the
    request's one session, under a lock; see :mod:`hub.unit_of_work`), and
    the session is handed to services.  Never await a DataLoader while
    holding it.
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
        self.work = UnitOfWork(hub.sessionmaker)

    @asynccontextmanager
    async def db(self) -> AsyncIterator[AsyncSession]:
        async with self.work.db() as session:
            yield session

    async def release(self) -> None:
        """Commit what is decided and free the connection (see UnitOfWork.release)."""
        await self.work.release()

    async def session(self) -> AsyncSession:
        """The request's session (mutations, which run one at a time, may use it)."""
        return await self.work.session()

    def loader(self, key: str, factory: Callable[[], T]) -> T:
        """One DataLoader per kind per request."""
        if key not in self.loaders:
            self.loaders[key] = factory()
        return self.loaders[key]

    async def finish(self, *, keep: bool) -> None:
        """Commit (with the audit events) when ``keep``, else roll back; close."""
        await self.work.finish(keep=keep)
