"""DataLoaders: each batch is one SQL statement, whatever the batch size."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from strawberry.dataloader import DataLoader

from hub.models import Client
from schema.context import Context

__all__ = ["clients_by_id"]


def clients_by_id(ctx: Context) -> DataLoader[str, Client | None]:
    async def load(ids: Sequence[str]) -> list[Client | None]:
        async with ctx.db() as session:
            rows = await session.scalars(select(Client).where(Client.id.in_(ids)))
            found = {c.id: c for c in rows}
        return [found.get(i) for i in ids]

    return ctx.loader("clients_by_id", lambda: DataLoader(load_fn=load))
