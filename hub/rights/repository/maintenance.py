"""What scheduled maintenance looks for and deletes (``hub.rights.maintenance``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub.enums import ListKind, ObjectionStatus, RecordStatus, Severity
from hub.models import (
    Commitment,
    CreditRecord,
    ListMembership,
    Objection,
    RepairApplication,
)

__all__ = [
    "delete_records",
    "dishonest_listings_without_term",
    "expirable_records",
    "overdue_objections",
    "retained_negative_records",
    "unfulfilled_commitments",
]

DISHONEST_KIND = "DISHONEST_JUDGMENT_DEBTOR"
DISHONEST_LIST = "失信被执行人名单"


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


async def retained_negative_records(
    session: AsyncSession, before: date
) -> list[tuple[int, str, str, str, date | None, date | None, date | None]]:
    """Negative records whose act ended (or, lacking that, happened) before ``before``.

    A coarse SQL filter; the exact 5-year date is computed in Python.
    """
    end = func.coalesce(
        CreditRecord.ended_on, CreditRecord.occurred_on, CreditRecord.decided_on
    )
    rows = await session.execute(
        select(
            CreditRecord.id,
            CreditRecord.uscc,
            CreditRecord.category,
            CreditRecord.kind,
            CreditRecord.ended_on,
            CreditRecord.occurred_on,
            CreditRecord.decided_on,
        )
        .where(CreditRecord.severity != Severity.NONE.value, end < before)
        .order_by(CreditRecord.id)
    )
    return [tuple(r) for r in rows.all()]  # type: ignore[misc]


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


async def dishonest_listings_without_term(
    session: AsyncSession,
) -> list[ListMembership]:
    rows = await session.scalars(
        select(ListMembership)
        .where(
            ListMembership.kind == ListKind.BLACK.value,
            ListMembership.list_name == DISHONEST_LIST,
            ListMembership.until.is_(None),
        )
        .order_by(ListMembership.id)
    )
    return list(rows)


async def overdue_objections(session: AsyncSession, now: datetime) -> list[Objection]:
    rows = await session.scalars(
        select(Objection)
        .where(
            Objection.status == ObjectionStatus.OPEN.value,
            Objection.overdue.is_(False),
            Objection.due_by < now,
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
