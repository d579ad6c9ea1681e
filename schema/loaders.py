"""DataLoaders: each batch is one SQL statement, whatever the batch size."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from strawberry.dataloader import DataLoader

from hub.auth.clients import client_service
from schema.context import Context

if TYPE_CHECKING:
    from hub.models import Client

__all__ = ["clients_by_id"]


def clients_by_id(ctx: Context) -> DataLoader[str, Client | None]:
    async def load(ids: Sequence[str]) -> list[Client | None]:
        async with ctx.db() as session:
            return await client_service.by_ids(session, ids)

    return ctx.loader("clients_by_id", lambda: DataLoader(load_fn=load))
