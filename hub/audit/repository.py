"""Queries over the audit trail (newest first, cursor on write order)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from hub.models import AuditEvent

__all__ = ["AuditQuery", "page"]


@dataclass(frozen=True)
class AuditQuery:
    subject: str | None = None
    actor_id: str | None = None
    action: str | None = None
    at_from: datetime | None = None
    at_to: datetime | None = None

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
        return stmt


async def page(
    session: AsyncSession, q: AuditQuery, first: int, before_n: int | None
) -> tuple[list[AuditEvent], int]:
    stmt = q.apply(select(AuditEvent))
    if before_n is not None:
        stmt = stmt.where(AuditEvent.n < before_n)
    rows = (
        await session.scalars(stmt.order_by(AuditEvent.n.desc()).limit(first + 1))
    ).all()
    total = await session.scalar(q.apply(select(func.count(AuditEvent.id))))
    return list(rows), int(total or 0)
