"""Queries over the audit trail: sealed events, newest first, paged by chain order.

Pages follow ``seq``, the order the sealer links events onto the chain — not
``n``, the order they were written.  ``n`` is taken when a transaction
inserts its events, but transactions commit in their own order: on
PostgreSQL an event with a smaller ``n`` can become visible after one with a
larger, and a reader who had seen the larger would page past it for good.
The sealer links only committed events, under the chain lock, each batch
after the last, so an event not yet visible to a reader always gets a
``seq`` above every one that reader saw: nothing committed is ever skipped.
Unsealed events (the last fraction of a second) are left out, and the
readers seal what has committed before they look (:mod:`hub.audit.service`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from hub.models import AuditEvent

__all__ = ["AuditQuery", "last_seq", "page", "unsealed_count"]


@dataclass(frozen=True)
class AuditQuery:
    subject: str | None = None
    actor_id: str | None = None
    action: str | None = None
    at_from: datetime | None = None
    at_to: datetime | None = None
    purpose: str | None = None
    outcome: str | None = None

    def apply(self, stmt: Select) -> Select:
        if self.subject is not None:
            stmt = stmt.where(AuditEvent.subject == self.subject)
        if self.actor_id is not None:
            stmt = stmt.where(AuditEvent.actor_id == self.actor_id)
        if self.action is not None:
            stmt = stmt.where(AuditEvent.action == self.action)
        if self.at_from is not None:
            stmt = stmt.where(AuditEvent.at >= self.at_from)
        if self.at_to is not None:
            stmt = stmt.where(AuditEvent.at < self.at_to)
        if self.purpose is not None:
            stmt = stmt.where(AuditEvent.purpose == self.purpose)
        if self.outcome is not None:
            # "DENIED" also finds "DENIED:CONSENT_REQUIRED" and its kin.
            stmt = stmt.where(
                or_(
                    AuditEvent.outcome == self.outcome,
                    AuditEvent.outcome.startswith(f"{self.outcome}:", autoescape=True),
                )
            )
        return stmt


async def page(
    session: AsyncSession, q: AuditQuery, first: int, before_seq: int | None
) -> tuple[list[AuditEvent], int]:
    """Up to ``first + 1`` sealed events before ``before_seq``, newest first."""
    sealed = AuditEvent.seq.is_not(None)
    stmt = q.apply(select(AuditEvent)).where(sealed)
    if before_seq is not None:
        stmt = stmt.where(AuditEvent.seq < before_seq)
    rows = (
        await session.scalars(stmt.order_by(AuditEvent.seq.desc()).limit(first + 1))
    ).all()
    total = await session.scalar(
        q.apply(select(func.count(AuditEvent.id))).where(sealed)
    )
    return list(rows), int(total or 0)


async def unsealed_count(session: AsyncSession) -> int:
    """Committed events not yet linked onto the chain."""
    stmt = select(func.count(AuditEvent.id)).where(AuditEvent.seq.is_(None))
    return int(await session.scalar(stmt) or 0)


async def last_seq(session: AsyncSession) -> int:
    """The chain's length (its newest event's ``seq``; 0 when empty)."""
    return int(await session.scalar(select(func.max(AuditEvent.seq))) or 0)
