"""Routing's SQL: unrouted events, who may hear of them, what they are about,
and the rows routing writes (recipients, webhook messages, notices)."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Table,
    Text,
    cast,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from hub.consent.active import active_consent
from hub.enums import PrincipalKind, Purpose
from hub.events.repository.locks import postgres, sqlite_write_lock
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
    if postgres(session):
        stmt = stmt.with_for_update(skip_locked=True)
    else:
        await sqlite_write_lock(session, EVENTS, "routed_at")
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
