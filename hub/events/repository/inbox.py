"""The inbox and the feed: notices, and the event as one recipient sees it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Table,
    and_,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from hub.models import (
    EventRecipient,
    Notice,
    OutboxEvent,
)

__all__ = [
    "mark_read",
    "notices_page",
    "recipient_payload",
]

NOTICES: Table = Notice.__table__  # type: ignore[assignment]


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
