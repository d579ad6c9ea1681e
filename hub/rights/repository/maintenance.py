"""What scheduled maintenance looks for and deletes (``hub.rights.maintenance``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub.enums import ListMembershipStatus, ObjectionStatus, RecordStatus, Severity
from hub.models import (
    Commitment,
    CreditRecord,
    ListMembership,
    Objection,
    RepairApplication,
)
from hub.rights.court_terms import DISHONEST_KIND, DISHONEST_LIST

__all__ = [
    "delete_records",
    "DISHONEST_KIND",
    "DISHONEST_LIST",
    "Retained",
    "expirable_records",
    "memberships_past_term",
    "overdue_objections",
    "retained_negative_records",
    "unfulfilled_commitments",
]


async def expirable_records(session: AsyncSession, today: date) -> list[CreditRecord]:
    """ACTIVE records whose window ended, and dishonest-debtor entries without one."""
    rows = await session.scalars(
        select(CreditRecord)
        .where(
            CreditRecord.status == RecordStatus.ACTIVE.value,
            or_(
                CreditRecord.publish_until < today,
                and_(
                    CreditRecord.publish_until.is_(None),
                    CreditRecord.kind == DISHONEST_KIND,
                ),
            ),
        )
        .order_by(CreditRecord.id)
    )
    return list(rows)


class Retained(NamedTuple):
    id: int
    uscc: str
    category: str
    kind: str
    status: str
    ended_on: date | None
    occurred_on: date | None
    decided_on: date | None


async def retained_negative_records(
    session: AsyncSession, before: date
) -> list[Retained]:
    """Negative records whose act ended before ``before`` — or that lack an end
    and happened before it (the service decides what becomes of those).

    A coarse SQL filter; the exact 5-year date is computed in Python.
    """
    happened = func.coalesce(CreditRecord.occurred_on, CreditRecord.decided_on)
    rows = await session.execute(
        select(
            CreditRecord.id,
            CreditRecord.uscc,
            CreditRecord.category,
            CreditRecord.kind,
            CreditRecord.status,
            CreditRecord.ended_on,
            CreditRecord.occurred_on,
            CreditRecord.decided_on,
        )
        .where(
            CreditRecord.severity != Severity.NONE.value,
            or_(
                CreditRecord.ended_on < before,
                and_(CreditRecord.ended_on.is_(None), happened < before),
            ),
        )
        .order_by(CreditRecord.id)
    )
    return [Retained(*r) for r in rows.all()]


async def delete_records(session: AsyncSession, ids: Sequence[int]) -> None:
    """Delete records; their objections and repairs go with them (ON DELETE CASCADE)."""
    if not ids:
        return
    await session.execute(
        update(Commitment)
        .where(Commitment.breach_record_id.in_(list(ids)))
        .values(breach_record_id=None)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        delete(Objection)
        .where(Objection.record_id.in_(list(ids)))
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        delete(RepairApplication)
        .where(RepairApplication.record_id.in_(list(ids)))
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        delete(CreditRecord)
        .where(CreditRecord.id.in_(list(ids)))
        .execution_options(synchronize_session=False)
    )


async def memberships_past_term(
    session: AsyncSession, today: date
) -> list[ListMembership]:
    """Memberships not yet ENDED whose ``until`` is before ``today``."""
    rows = await session.scalars(
        select(ListMembership)
        .where(
            ListMembership.until < today,
            ListMembership.status != ListMembershipStatus.ENDED.value,
        )
        .order_by(ListMembership.id)
    )
    return list(rows)


async def overdue_objections(session: AsyncSession, now: datetime) -> list[Objection]:
    # ``due_by`` is 24:00 of the last day: from that instant on it is late.
    rows = await session.scalars(
        select(Objection)
        .where(
            Objection.status == ObjectionStatus.OPEN.value,
            Objection.overdue.is_(False),
            Objection.due_by <= now,
        )
        .order_by(Objection.due_by, Objection.id)
    )
    return list(rows)


async def unfulfilled_commitments(
    session: AsyncSession, today: date
) -> list[Commitment]:
    rows = await session.scalars(
        select(Commitment)
        .where(
            Commitment.status == "PENDING",
            Commitment.due_on < today,
        )
        .order_by(Commitment.due_on, Commitment.id)
    )
    return list(rows)
