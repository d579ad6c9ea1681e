"""Webhook messages: claims, results, endpoints and their message lists.

An attempt is fenced by its claim: a worker claims due messages (committed
before anything is sent), renews the claim while it holds them, and writes
each result only under its own claim — so two workers never deliver one
attempt, and a worker that died leaves claims that simply lapse.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Table,
    and_,
    bindparam,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from hub.events.repository.locks import postgres, sqlite_write_lock
from hub.events.repository.routing import webhooks_of
from hub.models import (
    EventRecipient,
    OutboxEvent,
    Webhook,
    WebhookDelivery,
)

__all__ = [
    "copies_of_records",
    "rewrite_copies",
    "active_webhooks",
    "claim_due",
    "deliveries_page",
    "delivery",
    "release_claims",
    "renew_claims",
    "settle_deliveries",
    "stop_deliveries",
    "webhook",
]

DELIVERIES: Table = WebhookDelivery.__table__  # type: ignore[assignment]


def _due(now: datetime) -> Any:
    d = DELIVERIES.c
    return and_(
        d.next_attempt_at.is_not(None),
        d.next_attempt_at <= now,
        or_(d.claimed_until.is_(None), d.claimed_until < now),
    )


async def claim_due(
    session: AsyncSession, *, now: datetime, until: datetime, claim: str, limit: int
) -> list[Any]:
    """Take up to ``limit`` due messages of active webhooks for one attempt each.

    The claim (``claim``, held until ``until``) is committed by the caller
    before anything is sent; an attempt's result is written only under its own
    claim (:func:`settle_delivery`), so two workers never deliver one attempt,
    and a worker that died leaves a claim that simply lapses.
    """
    d = DELIVERIES.c
    wanted = (
        select(d.id)
        .join(Webhook, Webhook.id == d.webhook_id)
        .where(_due(now), Webhook.active.is_(True))
        .order_by(d.next_attempt_at)
        .limit(limit)
    )
    if postgres(session):
        wanted = wanted.with_for_update(skip_locked=True, of=DELIVERIES)
    else:
        await sqlite_write_lock(session, DELIVERIES, "claim")
    stmt = (
        update(DELIVERIES)
        .where(d.id.in_(wanted.scalar_subquery()), _due(now))
        .values(claim=claim, claimed_until=until, attempts=d.attempts + 1)
        .returning(
            d.id,
            d.webhook_id,
            d.message_id,
            d.body,
            d.attempts,
            d.step,
            d.event_id,
        )
    )
    claimed = list((await session.execute(stmt)).all())
    if not claimed:
        return []
    hooks = {
        h.id: h
        for h in await session.scalars(
            select(Webhook).where(Webhook.id.in_({c.webhook_id for c in claimed}))
        )
    }
    return [(c, hooks[c.webhook_id]) for c in claimed]


def _held(pairs: Sequence[tuple[str, str]]) -> Any:
    return and_(
        DELIVERIES.c.id.in_([i for i, _ in pairs]),
        DELIVERIES.c.claim.in_(sorted({c for _, c in pairs})),
    )


async def renew_claims(
    session: AsyncSession, held: Sequence[tuple[str, str]], until: datetime
) -> None:
    """Keep holding these (message id, claim) pairs until ``until``."""
    if held:
        await session.execute(
            update(DELIVERIES).where(_held(held)).values(claimed_until=until)
        )


async def release_claims(
    session: AsyncSession, held: Sequence[tuple[str, str]]
) -> None:
    """Give back claims on messages not sent: due again at once."""
    if held:
        await session.execute(
            update(DELIVERIES)
            .where(_held(held))
            .values(claim=None, claimed_until=None, attempts=DELIVERIES.c.attempts - 1)
        )


_RESULT = (
    "last_status",
    "last_error",
    "updated_at",
    "delivered_at",
    "next_attempt_at",
    "failed",
    "step",
)


async def settle_deliveries(
    session: AsyncSession, results: Sequence[tuple[str, str, dict[str, Any]]]
) -> set[str]:
    """Write finished attempts — (message id, claim, new values) — each only
    under its own claim; the ids written (a lapsed claim means another attempt
    owns the message now).  Two statements whatever the batch size: the rows
    still ours, locked, then one executemany UPDATE."""
    if not results:
        return set()
    stmt = select(DELIVERIES.c.id, DELIVERIES.c.claim).where(
        _held([(i, c) for i, c, _ in results])
    )
    if postgres(session):
        stmt = stmt.with_for_update()
    else:
        await sqlite_write_lock(session, DELIVERIES, "claim")
    ours = {(i, c) for i, c in await session.execute(stmt)}
    written = [(i, values) for i, c, values in results if (i, c) in ours]
    if written:
        d = DELIVERIES.c
        # A value of None for these leaves the column as it is.
        kept = {
            f: func.coalesce(bindparam(f"v_{f}", type_=d[f].type), d[f])
            for f in _KEPT_UNLESS_GIVEN
        }
        update_stmt = (
            update(DELIVERIES)
            .where(d.id == bindparam("k_id"))
            .values(
                claim=None,
                claimed_until=None,
                **{f: bindparam(f"v_{f}") for f in _RESULT if f not in kept},
                **kept,
            )
        )
        conn = await session.connection()
        await conn.execute(
            update_stmt,
            [
                {"k_id": i, **{f"v_{f}": values.get(f) for f in _RESULT}}
                for i, values in written
            ],
        )
    return {i for i, _ in written}


_KEPT_UNLESS_GIVEN = ("delivered_at", "step")


async def active_webhooks(session: AsyncSession, client_id: str) -> list[Webhook]:
    return await webhooks_of(session, [client_id])


async def webhook(session: AsyncSession, webhook_id: str) -> Webhook | None:
    return await session.get(Webhook, webhook_id)


async def stop_deliveries(
    session: AsyncSession, webhook_id: str, now: datetime
) -> None:
    """Give up the messages still waiting for a deleted endpoint."""
    await session.execute(
        update(DELIVERIES)
        .where(
            DELIVERIES.c.webhook_id == webhook_id,
            DELIVERIES.c.next_attempt_at.is_not(None),
        )
        .values(
            next_attempt_at=None,
            failed=True,
            last_error="webhook deleted",
            updated_at=now,
        )
    )


async def deliveries_page(
    session: AsyncSession,
    webhook_id: str,
    *,
    first: int,
    after: tuple[datetime, str] | None,
) -> tuple[list[tuple[WebhookDelivery, dict[str, Any]]], int]:
    """Messages of a webhook, newest first, each with the event as sent;
    ``first + 1`` of them after ``after``; and how many there are."""
    d = WebhookDelivery
    stmt = (
        select(d, EventRecipient.payload)
        .join(EventRecipient, EventRecipient.id == d.recipient_id)
        .where(d.webhook_id == webhook_id)
        .order_by(d.created_at.desc(), d.id.desc())
        .limit(first + 1)
    )
    if after is not None:
        stmt = stmt.where(
            or_(
                d.created_at < after[0],
                and_(d.created_at == after[0], d.id < after[1]),
            )
        )
    rows = [(row, dict(payload)) for row, payload in await session.execute(stmt)]
    total = await session.scalar(
        select(func.count()).select_from(d).where(d.webhook_id == webhook_id)
    )
    return rows, int(total or 0)


async def delivery(
    session: AsyncSession, delivery_id: str
) -> tuple[WebhookDelivery, Webhook, dict[str, Any]] | None:
    row = (
        await session.execute(
            select(WebhookDelivery, Webhook, EventRecipient.payload)
            .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .join(EventRecipient, EventRecipient.id == WebhookDelivery.recipient_id)
            .where(WebhookDelivery.id == delivery_id)
        )
    ).first()
    return None if row is None else (row[0], row[1], dict(row[2]))


async def copies_of_records(
    session: AsyncSession, record_ids: Sequence[int]
) -> list[tuple[int, dict[str, Any]]]:
    """(recipient id, payload) of every recipient whose event carries one of
    these records."""
    if not record_ids:
        return []
    rows = await session.execute(
        select(EventRecipient.id, EventRecipient.payload)
        .join(OutboxEvent, OutboxEvent.id == EventRecipient.event_id)
        .where(OutboxEvent.record_id.in_(list(record_ids)))
    )
    return [(int(i), dict(p)) for i, p in rows]


async def rewrite_copies(
    session: AsyncSession, rewritten: Sequence[tuple[int, dict[str, Any], str]]
) -> None:
    """Replace recipients' payloads and their webhook messages' bodies:
    (recipient id, payload, body)."""
    if not rewritten:
        return
    recipients: Table = EventRecipient.__table__  # type: ignore[assignment]
    conn = await session.connection()
    await conn.execute(
        update(recipients)
        .where(recipients.c.id == bindparam("k_id"))
        .values(payload=bindparam("v_payload")),
        [{"k_id": i, "v_payload": p} for i, p, _ in rewritten],
    )
    await conn.execute(
        update(DELIVERIES)
        .where(DELIVERIES.c.recipient_id == bindparam("k_id"))
        .values(body=bindparam("v_body")),
        [{"k_id": i, "v_body": b} for i, _, b in rewritten],
    )
