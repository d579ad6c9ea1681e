"""All SQL of the rights domain: records, objections, repairs, commitments."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub.consent.active import active_consent, covers
from hub.enums import (
    DataCategory,
    ListKind,
    ObjectionStatus,
    RecordStatus,
    RepairStatus,
    Severity,
)
from hub.models import (
    Client,
    Commitment,
    Consent,
    CreditRecord,
    ListMembership,
    Objection,
    RepairApplication,
)

__all__ = [
    "active_consents",
    "commitment_page",
    "delete_records",
    "dishonest_listings_without_term",
    "expirable_records",
    "has_monitoring_consent",
    "objection_page",
    "overdue_objections",
    "pending_repair",
    "record",
    "record_by_source",
    "records_by_id",
    "repair_page",
    "retained_negative_records",
    "unfulfilled_commitments",
]

DISHONEST_KIND = "DISHONEST_JUDGMENT_DEBTOR"
DISHONEST_LIST = "失信被执行人名单"


async def record(session: AsyncSession, record_id: int) -> CreditRecord | None:
    return await session.get(CreditRecord, record_id)


async def record_by_source(
    session: AsyncSession, source: str, source_id: str
) -> CreditRecord | None:
    return await session.scalar(
        select(CreditRecord).where(
            CreditRecord.source == source, CreditRecord.source_id == source_id
        )
    )


async def records_by_id(
    session: AsyncSession, ids: Sequence[int]
) -> dict[int, CreditRecord]:
    if not ids:
        return {}
    rows = await session.scalars(
        select(CreditRecord).where(CreditRecord.id.in_(sorted(set(ids))))
    )
    return {r.id: r for r in rows}


# --- queues ---------------------------------------------------------------


async def objection_page(
    session: AsyncSession,
    *,
    uscc: str | None,
    status: ObjectionStatus | None,
    first: int,
    after: tuple[datetime, str] | None,
) -> tuple[list[Objection], int]:
    """Oldest reply deadline first (the admin's work order)."""
    conds: list[Any] = []
    if uscc is not None:
        conds.append(Objection.uscc == uscc)
    if status is not None:
        conds.append(Objection.status == str(status))
    total = int(
        await session.scalar(select(func.count(Objection.id)).where(*conds)) or 0
    )
    if after is not None:
        conds.append(
            or_(
                Objection.due_by > after[0],
                and_(Objection.due_by == after[0], Objection.id > after[1]),
            )
        )
    rows = await session.scalars(
        select(Objection)
        .where(*conds)
        .order_by(Objection.due_by, Objection.id)
        .limit(first + 1)
    )
    return list(rows), total


async def repair_page(
    session: AsyncSession,
    *,
    uscc: str | None,
    status: RepairStatus | None,
    first: int,
    after: tuple[datetime, str] | None,
) -> tuple[list[RepairApplication], int]:
    """Oldest application first."""
    ra = RepairApplication
    conds: list[Any] = []
    if uscc is not None:
        conds.append(ra.uscc == uscc)
    if status is not None:
        conds.append(ra.status == str(status))
    total = int(await session.scalar(select(func.count(ra.id)).where(*conds)) or 0)
    if after is not None:
        conds.append(
            or_(
                ra.applied_at > after[0],
                and_(ra.applied_at == after[0], ra.id > after[1]),
            )
        )
    rows = await session.scalars(
        select(ra).where(*conds).order_by(ra.applied_at, ra.id).limit(first + 1)
    )
    return list(rows), total


async def commitment_page(
    session: AsyncSession,
    *,
    uscc: str | None,
    status: str | None,
    first: int,
    after: tuple[str, str] | None,
    consented_to: tuple[str, str, datetime] | None = None,
) -> tuple[list[Commitment], int]:
    """Earliest due date first.

    ``consented_to`` = (grantee id, purpose, now) keeps only subjects that hold
    an ACTIVE consent of that purpose covering COMMITMENT to that grantee (the
    count included); the door still decides, and audits, each subject shown.
    """
    conds: list[Any] = []
    if uscc is not None:
        conds.append(Commitment.uscc == uscc)
    if status is not None:
        conds.append(Commitment.status == status)
    if consented_to is not None:
        grantee, purpose, now = consented_to
        conds.append(
            select(Consent.id)
            .where(
                Consent.subject == Commitment.uscc,
                Consent.grantee_id == grantee,
                Consent.purpose == purpose,
                active_consent(now),
                covers(DataCategory.COMMITMENT),
            )
            .exists()
        )
    total = int(
        await session.scalar(select(func.count(Commitment.id)).where(*conds)) or 0
    )
    if after is not None:
        day = date.fromisoformat(after[0])
        conds.append(
            or_(
                Commitment.due_on > day,
                and_(Commitment.due_on == day, Commitment.id > after[1]),
            )
        )
    rows = await session.scalars(
        select(Commitment)
        .where(*conds)
        .order_by(Commitment.due_on, Commitment.id)
        .limit(first + 1)
    )
    return list(rows), total


async def pending_repair(session: AsyncSession, record_id: int) -> str | None:
    return await session.scalar(
        select(RepairApplication.id).where(
            RepairApplication.record_id == record_id,
            RepairApplication.status == RepairStatus.PENDING.value,
        )
    )


# --- consents (data shares, alerts) --------------------------------------


async def active_consents(
    session: AsyncSession, uscc: str, now: datetime
) -> list[tuple[Consent, Client]]:
    rows = await session.execute(
        select(Consent, Client)
        .join(Client, Client.id == Consent.grantee_id)
        .where(
            Consent.subject == uscc,
            active_consent(now),
        )
        .order_by(Consent.expires_at, Consent.id)
    )
    return [(c, cl) for c, cl in rows.all()]


async def has_monitoring_consent(
    session: AsyncSession, uscc: str, grantee_id: str, now: datetime
) -> bool:
    found = await session.scalar(
        select(Consent.id)
        .where(
            Consent.subject == uscc,
            Consent.grantee_id == grantee_id,
            Consent.purpose == "MONITORING",
            active_consent(now),
        )
        .limit(1)
    )
    return found is not None


# --- maintenance ----------------------------------------------------------


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
