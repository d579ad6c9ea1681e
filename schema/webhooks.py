"""Webhooks (Standard Webhooks): register, list, delete, deliveries, redeliver."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import strawberry
from strawberry.types import Info

import schema.enums  # noqa: F401  (contract enums registered first)
from hub.enums import EventType
from hub.events import webhooks as service
from schema.common import Connection, check_first, decode_cursor
from schema.events import Event, IsClient

if TYPE_CHECKING:
    from hub.models import Webhook as WebhookRow
    from hub.models import WebhookDelivery as DeliveryRow

__all__ = [
    "Webhook",
    "WebhookDelivery",
    "WebhookInput",
    "WebhookMutation",
    "WebhookQuery",
    "WebhookRegistration",
]


@strawberry.type
class Webhook:
    id: strawberry.ID
    url: str
    events: list[EventType] = strawberry.field(
        description="Event types sent to this endpoint; empty: every type."
    )
    active: bool
    created_at: datetime

    @classmethod
    def from_row(cls, r: WebhookRow) -> Webhook:
        return cls(
            id=strawberry.ID(r.id),
            url=r.url,
            events=[EventType(e) for e in r.events],
            active=r.active,
            created_at=r.created_at,
        )


@strawberry.type(
    description="Returned once: the signing secret (whsec_…, Standard Webhooks) is "
    "never shown again."
)
class WebhookRegistration:
    webhook: Webhook
    secret: str


@strawberry.input
class WebhookInput:
    url: str = strawberry.field(
        description="https (in production) to a public address; development also "
        "takes http://127.0.0.1:…"
    )
    events: list[EventType] = strawberry.field(description="Empty: every type.")


@strawberry.type
class WebhookDelivery:
    id: strawberry.ID
    message_id: str = strawberry.field(
        description="The webhook-id header value; one per event and endpoint, "
        "stable across retries."
    )
    event: Event
    attempts: int
    last_status: int | None = strawberry.field(
        description="HTTP status of the last attempt; null when it could not connect."
    )
    last_error: str | None
    delivered_at: datetime | None
    next_attempt_at: datetime | None
    failed: bool = strawberry.field(
        description="Gave up after the retry schedule ran out."
    )

    @classmethod
    def from_row(cls, r: DeliveryRow, payload: dict[str, Any]) -> WebhookDelivery:
        return cls(
            id=strawberry.ID(r.id),
            message_id=r.message_id,
            event=Event.from_payload(payload),
            attempts=r.attempts,
            last_status=r.last_status,
            last_error=r.last_error,
            delivered_at=r.delivered_at,
            next_attempt_at=r.next_attempt_at,
            failed=r.failed,
        )


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


@strawberry.type
class WebhookQuery:
    @strawberry.field(
        description="The calling client's webhooks.", permission_classes=[IsClient]
    )
    async def webhooks(self, info: Info) -> list[Webhook]:
        ctx = info.context
        async with ctx.db() as session:
            rows = await service.list_webhooks(session, ctx.principal)
        return [Webhook.from_row(r) for r in rows]

    @strawberry.field(permission_classes=[IsClient])
    async def webhook_deliveries(
        self,
        info: Info,
        webhook_id: strawberry.ID,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[WebhookDelivery]:
        ctx = info.context
        cursor = decode_cursor(after, 2, (_instant, str))
        async with ctx.db() as session:
            rows, more, total = await service.deliveries(
                session,
                ctx.principal,
                str(webhook_id),
                first=check_first(first),
                after=(cursor[0], cursor[1]) if cursor else None,
            )
        return Connection.build(
            rows,
            more,
            total,
            node=lambda r: WebhookDelivery.from_row(*r),
            cursor=lambda r: (r[0].created_at.isoformat(), r[0].id),
        )


@strawberry.type
class WebhookMutation:
    @strawberry.mutation(permission_classes=[IsClient])
    async def register_webhook(
        self, info: Info, input: WebhookInput
    ) -> WebhookRegistration:
        ctx = info.context
        async with ctx.db() as session:
            row, secret = await service.register(
                session, ctx.hub, ctx.principal, url=input.url, events=input.events
            )
        return WebhookRegistration(webhook=Webhook.from_row(row), secret=secret)

    @strawberry.mutation(permission_classes=[IsClient])
    async def delete_webhook(self, info: Info, id: strawberry.ID) -> Webhook:
        ctx = info.context
        async with ctx.db() as session:
            row = await service.delete(session, ctx.hub, ctx.principal, str(id))
        return Webhook.from_row(row)

    @strawberry.mutation(
        description="Re-send one failed or delivered message (same webhook-id).",
        permission_classes=[IsClient],
    )
    async def redeliver_webhook(
        self, info: Info, delivery_id: strawberry.ID
    ) -> WebhookDelivery:
        ctx = info.context
        async with ctx.db() as session:
            row, payload = await service.redeliver(
                session, ctx.hub, ctx.principal, str(delivery_id)
            )
        return WebhookDelivery.from_row(row, payload)
