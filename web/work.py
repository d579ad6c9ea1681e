"""One unit of work per page action, like a GraphQL request's.

    async with unit_of_work(request) as session:
        client = await client_service.suspend(session, actor=..., ...)

The session is committed when the block ends (with the audit events the
services and the door wrote) and rolled back when it raises — keeping the
door's refusals (``hub.unit_of_work``).  Render after the block: a page
never shows data whose audit row did not commit.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from starlette.requests import Request

from hub.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["unit_of_work"]


@asynccontextmanager
async def unit_of_work(request: Request) -> AsyncIterator[AsyncSession]:
    work = UnitOfWork(request.app.state.hub.sessionmaker)
    keep = False
    try:
        yield await work.session()
        keep = True
    finally:
        await work.finish(keep=keep)
