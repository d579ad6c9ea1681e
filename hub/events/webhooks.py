"""Webhooks: a client registers endpoints; the hub signs and sends its events.

- :func:`register` checks the URL (:mod:`hub.events.targets`: https and a
  public address in production), makes a ``whsec_`` secret (Standard
  Webhooks: 24 random bytes, base64) and returns it once;
- :func:`delete` stops the endpoint and gives up its waiting messages;
- :func:`deliveries` lists an endpoint's messages with the event as sent;
- :func:`redeliver` sends one message again, with the same ``webhook-id``:
  one attempt, now (a message still in its retry schedule is simply moved
  up).

Registering and deleting are audited (``webhook.register``,
``webhook.delete``) with the client as actor.  A client sees and touches only
its own webhooks; anyone else's is ``NOT_FOUND``.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub.audit.changes import record_change
from hub.auth.principal import Principal
from hub.enums import EventType
from hub.errors import ErrorCode, HubError
from hub.events import repository as repo
from hub.events.delivery import SCHEDULE
from hub.events.targets import TargetPolicy, resolve
from hub.models import Webhook, WebhookDelivery, new_id

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = [
    "MAX_WEBHOOKS",
    "delete",
    "deliveries",
    "list_webhooks",
    "new_secret",
    "redeliver",
    "register",
]

#: Active endpoints per client.
MAX_WEBHOOKS = 10


def new_secret() -> str:
    """A Standard Webhooks signing secret: ``whsec_`` + base64 of 24 bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def _not_found(what: str) -> HubError:
    return HubError(f"No {what} of yours.", ErrorCode.NOT_FOUND)


async def register(
    session: AsyncSession,
    hub: Hub,
    principal: Principal,
    *,
    url: str,
    events: Sequence[EventType],
) -> tuple[Webhook, str]:
    """A new endpoint of ``principal`` and its secret (shown only now)."""
    url = url.strip()
    await resolve(url, TargetPolicy.of(hub.settings))
    if len(await repo.active_webhooks(session, principal.id)) >= MAX_WEBHOOKS:
        raise HubError(
            f"At most {MAX_WEBHOOKS} webhooks per client; delete one first.",
            ErrorCode.VALIDATION_ERROR,
        )
    now = hub.clock.now()
    secret = new_secret()
    kinds = sorted({str(e) for e in events})
    row = Webhook(
        id=new_id(),
        client_id=principal.id,
        url=url,
        events=kinds,
        secret=secret,
        active=True,
        created_at=now,
        deleted_at=None,
    )
    session.add(row)
    await record_change(
        session,
        actor=principal,
        action="webhook.register",
        outcome="REGISTERED",
        at=now,
        detail={"webhook": row.id, "url": url, "events": kinds},
    )
    await session.flush()
    return row, secret


async def list_webhooks(session: AsyncSession, principal: Principal) -> list[Webhook]:
    return await repo.active_webhooks(session, principal.id)


async def _own(session: AsyncSession, principal: Principal, webhook_id: str) -> Webhook:
    row = await repo.webhook(session, webhook_id)
    if row is None or row.client_id != principal.id:
        raise _not_found(f"webhook {webhook_id!r}")
    return row


async def delete(
    session: AsyncSession, hub: Hub, principal: Principal, webhook_id: str
) -> Webhook:
    row = await _own(session, principal, webhook_id)
    if not row.active:
        raise _not_found(f"active webhook {webhook_id!r}")
    now = hub.clock.now()
    row.active, row.deleted_at = False, now
    await repo.stop_deliveries(session, row.id, now)
    await record_change(
        session,
        actor=principal,
        action="webhook.delete",
        outcome="DELETED",
        at=now,
        detail={"webhook": row.id, "url": row.url},
    )
    await session.flush()
    return row


async def deliveries(
    session: AsyncSession,
    principal: Principal,
    webhook_id: str,
    *,
    first: int,
    after: tuple[datetime, str] | None,
) -> tuple[list[tuple[WebhookDelivery, dict[str, Any]]], bool, int]:
    """(rows with the event as sent, more, total), newest first."""
    await _own(session, principal, webhook_id)
    rows, total = await repo.deliveries_page(
        session, webhook_id, first=first, after=after
    )
    return rows[:first], len(rows) > first, total


async def redeliver(
    session: AsyncSession, hub: Hub, principal: Principal, delivery_id: str
) -> tuple[WebhookDelivery, dict[str, Any]]:
    found = await repo.delivery(session, delivery_id)
    if found is None or found[1].client_id != principal.id:
        raise _not_found(f"webhook delivery {delivery_id!r}")
    row, hook, payload = found
    now = hub.clock.now()
    if not hook.active:
        raise HubError(
            f"Webhook {hook.id} was deleted; register it again to receive messages.",
            ErrorCode.CONFLICT,
        )
    if row.claimed_until is not None and row.claimed_until > now:
        raise HubError(
            f"Message {row.message_id} is being sent right now; wait for the "
            "attempt to finish.",
            ErrorCode.CONFLICT,
        )
    if row.next_attempt_at is None:
        # Done (delivered or given up): one more attempt, no further retries.
        row.step = len(SCHEDULE)
        row.failed = False
    row.next_attempt_at, row.updated_at = now, now
    await session.flush()
    return row, payload
