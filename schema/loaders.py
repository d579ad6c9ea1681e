"""DataLoaders: each batch is one SQL statement, whatever the batch size."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from strawberry.dataloader import DataLoader

from hub.auth.clients import client_service
from hub.consent import requests as consent_requests
from hub.consent import service as consents
from schema.context import Context

if TYPE_CHECKING:
    from hub.models import Client, Consent, ConsentRequest

__all__ = [
    "clients_by_id",
    "consent_requests_by_id",
    "consents_by_id",
    "receipts_by_consent",
]


def clients_by_id(ctx: Context) -> DataLoader[str, Client | None]:
    async def load(ids: Sequence[str]) -> list[Client | None]:
        async with ctx.db() as session:
            return await client_service.by_ids(session, ids)

    return ctx.loader("clients_by_id", lambda: DataLoader(load_fn=load))


def consents_by_id(ctx: Context) -> DataLoader[str, Consent | None]:
    async def load(ids: Sequence[str]) -> list[Consent | None]:
        async with ctx.db() as session:
            return await consents.consents_by_ids(session, ids)

    return ctx.loader("consents_by_id", lambda: DataLoader(load_fn=load))


def receipts_by_consent(ctx: Context) -> DataLoader[str, list[str]]:
    async def load(ids: Sequence[str]) -> list[list[str]]:
        async with ctx.db() as session:
            return await consents.receipts_of(session, ids)

    return ctx.loader("receipts_by_consent", lambda: DataLoader(load_fn=load))


def consent_requests_by_id(ctx: Context) -> DataLoader[str, ConsentRequest | None]:
    async def load(ids: Sequence[str]) -> list[ConsentRequest | None]:
        async with ctx.db() as session:
            return await consent_requests.requests_by_ids(session, list(ids))

    return ctx.loader("consent_requests_by_id", lambda: DataLoader(load_fn=load))
