"""Shared helpers of the events tests: webhooks, imports, sockets."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from hub.enums import PrincipalKind
from hub.events.dispatcher import CHANNEL
from hub.importer.service import import_rows
from hub.models import CreditRecord, EventRecipient, OutboxEvent
from tests.api import Api, ClientCreds
from tests.rights.helpers import OTHER, USCC

__all__ = [
    "OTHER",
    "USCC",
    "app_of",
    "bank",
    "import_negative",
    "recipients",
    "register",
    "subscribed",
]

REGISTER = """mutation($i: WebhookInput!) {
  registerWebhook(input: $i) { secret webhook { id url events active } } }"""


def app_of(api: Api) -> Any:
    return api.http._transport.app  # type: ignore[attr-defined]


async def bank(api: Api, name: str) -> ClientCreds:
    return await api.client(PrincipalKind.BANK, name)


async def register(
    api: Api, client: ClientCreds, url: str, events: list[str] | None = None
) -> tuple[str, str]:
    """(webhook id, secret) of a new webhook of ``client``."""
    data = await api.data(
        REGISTER, {"i": {"url": url, "events": events or []}}, client.token
    )
    reg = data["registerWebhook"]
    return reg["webhook"]["id"], reg["secret"]


async def import_negative(
    api: Api, source_id: str, *, uscc: str = USCC, entity: bool = True, **kw: Any
) -> int:
    """Import (the importer's own path) a SERIOUS PENALTY record; its id."""
    today = api.clock.today()
    rows: list[dict[str, Any]] = []
    if entity:
        rows.append(
            {
                "type": "entity",
                "uscc": uscc,
                "name": "郑州示范科技有限公司",
                "kind": "ENTERPRISE",
                "region_code": "410100",
                "status": "存续",
            }
        )
    decided = today - timedelta(days=10)
    row = {
        "type": "record",
        "uscc": uscc,
        "source": "market-regulation",
        "source_id": source_id,
        "category": "PENALTY",
        "kind": "ADMIN_PENALTY",
        "severity": "SERIOUS",
        "title": "罚款 20 万元",
        "authority": "郑州市市场监督管理局",
        "occurred_on": (decided - timedelta(days=30)).isoformat(),
        "decided_on": decided.isoformat(),
        "publish_from": decided.isoformat(),
        "publish_until": date(decided.year + 3, 1, 1).isoformat(),
        **kw,
    }
    rows.append(row)
    summary = await import_rows(api.hub.sessionmaker, rows, api.clock)
    assert summary.quarantined == 0, summary.problems
    async with api.hub.sessionmaker() as s:
        rid = await s.scalar(
            select(CreditRecord.id).where(CreditRecord.source_id == source_id)
        )
    assert rid is not None
    return int(rid)


async def recipients(api: Api, event_type: str) -> dict[str, dict[str, Any]]:
    """client id → payload of every recipient of events of ``event_type``."""
    async with api.hub.sessionmaker() as s:
        rows = await s.execute(
            select(EventRecipient.client_id, EventRecipient.payload)
            .join(OutboxEvent, OutboxEvent.id == EventRecipient.event_id)
            .where(OutboxEvent.type == event_type)
        )
        return {c: dict(p) for c, p in rows}


async def subscribed(api: Api, n: int = 1, channel: str = CHANNEL) -> None:
    """Wait (cooperatively) until ``n`` subscriptions listen on ``channel``."""
    for _ in range(2000):
        if len(api.hub.pubsub._subscribers.get(channel, ())) >= n:  # type: ignore[attr-defined]
            return
        await asyncio.sleep(0.005)
    raise AssertionError("subscription never started")
