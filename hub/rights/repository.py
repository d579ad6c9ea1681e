"""All SQL of the rights domain: records, objections, repairs, commitments.

Queue pages list *keys* (id, subject, the record's category, the order
column): enough for the door to decide before anything of a subject is
loaded.  The loaders that return subject data — records, objections, repairs,
commitments — take the door's grants, :func:`~hub.access.door.admit` them
first, and load only the subjects and categories those grants reach.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import ColumnElement, and_, delete, false, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from hub.access.door import Grant, admit
from hub.consent.active import active_consent, covers
from hub.enums import (
    DataCategory,
    ListKind,
    ObjectionStatus,
    Purpose,
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
from hub.profiles.visibility import record_visible

__all__ = [
    "QueueKey",
    "active_consents",
    "case_keys",
    "cases_by_id",
    "commitment_keys",
    "commitments_by_id",
    "delete_records",
    "dishonest_listings_without_term",
    "expirable_records",
    "monitoring_consent",
    "overdue_objections",
    "pending_repair",
    "record_by_source",
    "record_to_change",
    "records_by_id",
    "retained_negative_records",
    "unfulfilled_commitments",
]

DISHONEST_KIND = "DISHONEST_JUDGMENT_DEBTOR"
DISHONEST_LIST = "失信被执行人名单"

CaseT = TypeVar("CaseT", Objection, RepairApplication)


class QueueKey(NamedTuple):
    """One queue item as the door needs it: whose, which category, where."""

    id: str
    uscc: str
    category: str
    at: datetime | date  # the queue's order column (with ``id``, the cursor)


def _reach(grants: Iterable[Grant], uscc: Any, category: Any) -> ColumnElement[bool]:
    """The subjects, and categories of theirs, that ``grants`` reach, as SQL.

    Grants of one page usually share their categories: one clause per set.
    """
    by_categories: dict[frozenset[DataCategory], list[str]] = {}
    for g in grants:
        by_categories.setdefault(g.categories, []).append(g.uscc)
    return or_(
        false(),
        *(
            and_(uscc.in_(usccs), category.in_(sorted(str(c) for c in cats)))
            for cats, usccs in by_categories.items()
            if cats
        ),
    )


# --- subject data, under grants -------------------------------------------


async def records_by_id(
    session: AsyncSession,
    grants: Sequence[Grant],
    ids: Sequence[int],
    *,
    shared_on: date | None = None,
    status: RecordStatus | None = None,
) -> dict[int, CreditRecord]:
    """The records among ``ids`` that ``grants`` reach.

    ``shared_on``: only those clients may see that day (``hub.profiles.visibility``);
    ``status``: only those in that status.
    """
    admit(*grants)
    if not ids or not grants:
        return {}
    conds: list[Any] = [
        CreditRecord.id.in_(sorted(set(ids))),
        _reach(grants, CreditRecord.uscc, CreditRecord.category),
    ]
    if shared_on is not None:
        conds.append(record_visible(shared_on, for_subject=False))
    if status is not None:
        conds.append(CreditRecord.status == status.value)
    rows = await session.scalars(select(CreditRecord).where(*conds))
    return {r.id: r for r in rows}


async def cases_by_id(
    session: AsyncSession,
    model: type[CaseT],
    grants: Sequence[Grant],
    ids: Sequence[str],
) -> dict[str, tuple[CaseT, CreditRecord]]:
    """Objections (or repair applications) among ``ids``, each with its record,
    for the subjects and record categories ``grants`` reach."""
    admit(*grants)
    if not ids or not grants:
        return {}
    rows = await session.execute(
        select(model, CreditRecord)
        .join(CreditRecord, CreditRecord.id == model.record_id)
        .where(
            model.id.in_(sorted(set(ids))),
            _reach(grants, CreditRecord.uscc, CreditRecord.category),
        )
    )
    return {case.id: (case, record) for case, record in rows}


async def commitments_by_id(
    session: AsyncSession, grants: Sequence[Grant], ids: Sequence[str]
) -> dict[str, Commitment]:
    """Commitments among ``ids`` of subjects whose grants cover COMMITMENT."""
    admit(*grants)
    usccs = [g.uscc for g in grants if DataCategory.COMMITMENT in g.categories]
    if not ids or not usccs:
        return {}
    rows = await session.scalars(
        select(Commitment).where(
            Commitment.id.in_(sorted(set(ids))), Commitment.uscc.in_(usccs)
        )
    )
    return {c.id: c for c in rows}


# --- records to change (never shown from here) -----------------------------


async def record_to_change(
    session: AsyncSession, record_id: int
) -> CreditRecord | None:
    """The record a change (objection, repair) applies to; to show one, use
    :func:`records_by_id` under a grant."""
    return await session.get(CreditRecord, record_id)


async def record_by_source(
    session: AsyncSession, source: str, source_id: str
) -> CreditRecord | None:
    return await session.scalar(
        select(CreditRecord).where(
            CreditRecord.source == source, CreditRecord.source_id == source_id
        )
    )


# --- queues: keys first, for the door ---------------------------------------


# Objections by reply deadline (the admin's work order), applications by age.
_ORDER: dict[type[Any], InstrumentedAttribute[datetime]] = {
    Objection: Objection.due_by,
    RepairApplication: RepairApplication.applied_at,
}


def _after(
    at: InstrumentedAttribute[Any],
    id_: InstrumentedAttribute[str],
    after: tuple[Any, str],
) -> ColumnElement[bool]:
    return or_(at > after[0], and_(at == after[0], id_ > after[1]))


async def case_keys(
    session: AsyncSession,
    model: type[CaseT],
    *,
    uscc: str | None = None,
    status: str | None = None,
    ids: Sequence[str] | None = None,
    first: int | None = None,
    after: tuple[datetime, str] | None = None,
) -> tuple[list[QueueKey], int]:
    """Keys of objections (oldest reply deadline first) or repair applications
    (oldest first), ``first + 1`` of them after ``after``; and how many match."""
    at = _ORDER[model]
    conds: list[Any] = []
    if uscc is not None:
        conds.append(model.uscc == uscc)
    if status is not None:
        conds.append(model.status == status)
    if ids is not None:
        conds.append(model.id.in_(list(ids)))
    total = (
        int(await session.scalar(select(func.count(model.id)).where(*conds)) or 0)
        if ids is None
        else 0
    )
    if after is not None:
        conds.append(_after(at, model.id, after))
    query = (
        select(model.id, model.uscc, CreditRecord.category, at)
        .join(CreditRecord, CreditRecord.id == model.record_id)
        .where(*conds)
        .order_by(at, model.id)
    )
    if first is not None:
        query = query.limit(first + 1)
    rows = await session.execute(query)
    return [QueueKey(*r) for r in rows], total


async def commitment_keys(
    session: AsyncSession,
    *,
    uscc: str | None,
    status: str | None,
    first: int,
    after: tuple[date, str] | None,
    consented_to: tuple[str, Purpose, datetime] | None = None,
) -> tuple[list[QueueKey], int]:
    """Keys of commitments, earliest due date first; and how many match.

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
                Consent.purpose == str(purpose),
                active_consent(now),
                covers(DataCategory.COMMITMENT),
            )
            .exists()
        )
    total = int(
        await session.scalar(select(func.count(Commitment.id)).where(*conds)) or 0
    )
    if after is not None:
        conds.append(_after(Commitment.due_on, Commitment.id, after))
    rows = await session.execute(
        select(Commitment.id, Commitment.uscc, Commitment.due_on)
        .where(*conds)
        .order_by(Commitment.due_on, Commitment.id)
        .limit(first + 1)
    )
    return [
        QueueKey(id_, u, DataCategory.COMMITMENT.value, due) for id_, u, due in rows
    ], total


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


async def monitoring_consent(
    session: AsyncSession, uscc: str, grantee_id: str, now: datetime
) -> Consent | None:
    """The latest ACTIVE MONITORING consent of ``uscc`` to ``grantee_id``."""
    return await session.scalar(
        select(Consent)
        .where(
            Consent.subject == uscc,
            Consent.grantee_id == grantee_id,
            Consent.purpose == Purpose.MONITORING.value,
            active_consent(now),
        )
        .order_by(Consent.granted_at.desc())
        .limit(1)
    )


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
