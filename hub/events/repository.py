"""All SQL of the events domain: routing look-ups, claims, webhooks, notices.

Claims are the heart of it.  Routing takes a batch of unrouted events and
holds them for its one transaction; delivery takes due webhook messages and
holds them for a lease.  On PostgreSQL both use ``SELECT … FOR UPDATE SKIP
LOCKED`` so workers never wait for, nor take, each other's rows.  SQLite has
a single writer: a transaction first takes the write lock (a no-op UPDATE),
then reads, so two dispatchers on one file take turns and never see the same
unrouted event or due message as free.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Table,
    Text,
    and_,
    bindparam,
    cast,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from hub.consent.active import active_consent
from hub.enums import PrincipalKind, Purpose
from hub.models import (
    AuditEvent,
    Client,
    Consent,
    CreditRecord,
    EvaluationRow,
    EventRecipient,
    Notice,
    OutboxEvent,
    Webhook,
    WebhookDelivery,
)

__all__ = [
    "CLIENT_KINDS",
    "READ_ACTIONS",
    "claim_due",
    "claim_unrouted",
    "clients_by_id",
    "consents_of",
    "evaluated",
    "insert_deliveries",
    "insert_notices",
    "insert_recipients",
    "mark_routed",
    "monitoring_holders",
    "oldest_pending",
    "past_readers",
    "record_facts",
    "release_claims",
    "renew_claims",
    "settle_deliveries",
    "webhooks_of",
]

EVENTS: Table = OutboxEvent.__table__  # type: ignore[assignment]
RECIPIENTS: Table = EventRecipient.__table__  # type: ignore[assignment]
DELIVERIES: Table = WebhookDelivery.__table__  # type: ignore[assignment]
NOTICES: Table = Notice.__table__  # type: ignore[assignment]

#: Client kinds that receive events (never ADMIN, never SUBJECT principals).
CLIENT_KINDS = tuple(
    k.value
    for k in PrincipalKind
    if k not in (PrincipalKind.ADMIN, PrincipalKind.SUBJECT)
)
#: Audit actions after which a client held records of the subject: profile
#: reads, and events the hub sent it with the record in them.
READ_ACTIONS = ("profile.read", "alert.deliver", "event.deliver", "correction.notify")


def _postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


async def _sqlite_write_lock(session: AsyncSession, table: Table, column: str) -> None:
    # SQLite: take the (single) write lock before reading, so what this
    # transaction reads as free stays free until it commits (a no-op UPDATE
    # takes it, as the audit sealer does).
    await session.execute(
        update(table).where(text("1 = 0")).values({column: table.c[column]})
    )


# --- routing ----------------------------------------------------------------


async def claim_unrouted(
    session: AsyncSession, limit: int, *, skip: Collection[str] = ()
) -> list[OutboxEvent]:
    """The oldest unrouted events (but ``skip``), held by this transaction
    until it ends."""
    stmt = (
        select(OutboxEvent)
        .where(OutboxEvent.routed_at.is_(None))
        .order_by(OutboxEvent.n)
        .limit(limit)
    )
    if skip:
        stmt = stmt.where(OutboxEvent.id.not_in(sorted(skip)))
    if _postgres(session):
        stmt = stmt.with_for_update(skip_locked=True)
    else:
        await _sqlite_write_lock(session, EVENTS, "routed_at")
    return list(await session.scalars(stmt))


async def mark_routed(session: AsyncSession, ids: Sequence[str], at: datetime) -> None:
    await session.execute(
        update(EVENTS).where(EVENTS.c.id.in_(list(ids))).values(routed_at=at)
    )


async def monitoring_holders(
    session: AsyncSession, usccs: Iterable[str], now: datetime
) -> list[Consent]:
    """ACTIVE MONITORING consents over ``usccs`` held by ACTIVE clients
    (latest grant last, so it wins when one client holds several)."""
    keys = sorted(set(usccs))
    if not keys:
        return []
    rows = await session.scalars(
        select(Consent)
        .join(Client, Client.id == Consent.grantee_id)
        .where(
            Consent.subject.in_(keys),
            Consent.purpose == Purpose.MONITORING.value,
            active_consent(now),
            Client.active.is_(True),
        )
        .order_by(Consent.granted_at)
    )
    return list(rows)


async def consents_of(
    session: AsyncSession, uscc: str, client_ids: Iterable[str], now: datetime
) -> list[Consent]:
    """Every ACTIVE consent of ``uscc`` to these clients, whatever its purpose."""
    ids = sorted(set(client_ids))
    if not ids:
        return []
    rows = await session.scalars(
        select(Consent)
        .where(
            Consent.subject == uscc,
            Consent.grantee_id.in_(ids),
            active_consent(now),
        )
        .order_by(Consent.granted_at)
    )
    return list(rows)


async def past_readers(
    session: AsyncSession, uscc: str, since: datetime
) -> list[tuple[str, list[str]]]:
    """(client id, categories) of each distinct access since ``since`` after
    which a client held data of ``uscc`` (see :data:`READ_ACTIONS`).

    The categories column is compared as text: PostgreSQL has no equality on
    ``json``, and DISTINCT keeps the answer to one row per client and set.
    """
    rows = await session.execute(
        select(AuditEvent.actor_id, cast(AuditEvent.categories, Text))
        .where(
            AuditEvent.subject == uscc,
            AuditEvent.action.in_(READ_ACTIONS),
            AuditEvent.outcome == "GRANTED",
            AuditEvent.actor_kind.in_(CLIENT_KINDS),
            AuditEvent.at >= since,
        )
        .distinct()
    )
    return [(actor, list(json.loads(cats or "[]"))) for actor, cats in rows]


async def record_facts(session: AsyncSession, ids: Iterable[int]) -> dict[int, Any]:
    """What routing must know of records — whose, which category, status and
    window, since when the hub holds it — never their content."""
    keys = sorted(set(ids))
    if not keys:
        return {}
    rows = await session.execute(
        select(
            CreditRecord.id,
            CreditRecord.uscc,
            CreditRecord.category,
            CreditRecord.status,
            CreditRecord.publish_from,
            CreditRecord.publish_until,
            CreditRecord.created_at,
        ).where(CreditRecord.id.in_(keys))
    )
    return {r.id: r for r in rows}


async def evaluated(session: AsyncSession, usccs: Iterable[str]) -> set[str]:
    """Those of ``usccs`` with a stored evaluation (a grade to change from)."""
    keys = sorted(set(usccs))
    if not keys:
        return set()
    rows = await session.scalars(
        select(EvaluationRow.uscc).where(EvaluationRow.uscc.in_(keys))
    )
    return set(rows)


async def clients_by_id(session: AsyncSession, ids: Iterable[str]) -> dict[str, Client]:
    """ACTIVE clients among ``ids`` (a suspended client hears nothing)."""
    keys = sorted(set(ids))
    if not keys:
        return {}
    rows = await session.scalars(
        select(Client).where(Client.id.in_(keys), Client.active.is_(True))
    )
    return {c.id: c for c in rows}


async def webhooks_of(
    session: AsyncSession, client_ids: Iterable[str]
) -> list[Webhook]:
    keys = sorted(set(client_ids))
    if not keys:
        return []
    rows = await session.scalars(
        select(Webhook)
        .where(Webhook.client_id.in_(keys), Webhook.active.is_(True))
        .order_by(Webhook.created_at, Webhook.id)
    )
    return list(rows)


async def insert_recipients(
    session: AsyncSession, rows: list[dict[str, Any]]
) -> list[int]:
    """Insert recipient rows; their ids, in the order given."""
    if not rows:
        return []
    result = await session.execute(
        insert(RECIPIENTS).returning(RECIPIENTS.c.id, sort_by_parameter_order=True),
        rows,
    )
    return [int(r[0]) for r in result]


async def insert_deliveries(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert(DELIVERIES), rows)


async def insert_notices(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert(NOTICES), rows)


# --- webhook delivery ---------------------------------------------------------


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
    if _postgres(session):
        wanted = wanted.with_for_update(skip_locked=True, of=DELIVERIES)
    else:
        await _sqlite_write_lock(session, DELIVERIES, "claim")
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
    if _postgres(session):
        stmt = stmt.with_for_update()
    else:
        await _sqlite_write_lock(session, DELIVERIES, "claim")
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


async def oldest_pending(
    session: AsyncSession,
) -> tuple[datetime | None, datetime | None]:
    """When the oldest unrouted event happened, and the oldest webhook message
    still to deliver was created."""
    unrouted = await session.scalar(
        select(func.min(OutboxEvent.at)).where(OutboxEvent.routed_at.is_(None))
    )
    pending = await session.scalar(
        select(func.min(WebhookDelivery.created_at)).where(
            WebhookDelivery.next_attempt_at.is_not(None)
        )
    )
    return unrouted, pending


# --- webhooks, deliveries, notices, the feed ----------------------------------


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


async def recipient_payload(
    session: AsyncSession, recipient_id: int, client_id: str
) -> dict[str, Any] | None:
    payload = await session.scalar(
        select(EventRecipient.payload).where(
            EventRecipient.id == recipient_id, EventRecipient.client_id == client_id
        )
    )
    return None if payload is None else dict(payload)


async def notices_page(
    session: AsyncSession,
    uscc: str,
    *,
    unread_only: bool,
    first: int,
    after: tuple[datetime, str] | None,
) -> tuple[list[tuple[Notice, OutboxEvent]], int, int]:
    """The subject's notices, newest first, each with its event; ``first + 1``
    after ``after``; the total (under the filter) and the unread count."""
    n = Notice
    where: list[Any] = [n.uscc == uscc]
    if unread_only:
        where.append(n.read_at.is_(None))
    stmt = (
        select(n, OutboxEvent)
        .join(OutboxEvent, OutboxEvent.id == n.event_id)
        .where(*where)
        .order_by(n.created_at.desc(), n.id.desc())
        .limit(first + 1)
    )
    if after is not None:
        stmt = stmt.where(
            or_(
                n.created_at < after[0],
                and_(n.created_at == after[0], n.id < after[1]),
            )
        )
    rows = [(notice, ev) for notice, ev in await session.execute(stmt)]
    total = await session.scalar(select(func.count()).select_from(n).where(*where))
    unread = await session.scalar(
        select(func.count()).select_from(n).where(n.uscc == uscc, n.read_at.is_(None))
    )
    return rows, int(total or 0), int(unread or 0)


async def mark_read(
    session: AsyncSession, uscc: str, ids: Sequence[str], at: datetime
) -> int:
    """Mark the subject's unread notices among ``ids`` read; how many."""
    if not ids:
        return 0
    result = await session.execute(
        update(NOTICES)
        .where(
            NOTICES.c.uscc == uscc,
            NOTICES.c.id.in_(list(ids)),
            NOTICES.c.read_at.is_(None),
        )
        .values(read_at=at)
    )
    return int(getattr(result, "rowcount", 0) or 0)
