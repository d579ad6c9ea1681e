"""Loading subject data: records, objections, repairs and commitments.

Every loader that returns something to be shown takes the door's grants,
:func:`~hub.access.door.admit` s them first, and loads only the subjects, and
the categories of theirs, that those grants reach.  The two plain loaders at
the end serve changes (an objection's, a repair's, a commitment's record),
never answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.access.door import Grant, admit
from hub.enums import DataCategory, RecordStatus
from hub.models import Commitment, CreditRecord, Objection, RepairApplication
from hub.profiles.visibility import record_visible

__all__ = [
    "cases_by_id",
    "commitments_by_id",
    "objections_on",
    "record_by_source",
    "record_to_change",
    "records_by_id",
]

CaseT = TypeVar("CaseT", Objection, RepairApplication)


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


async def objections_on(session: AsyncSession, record_id: int) -> list[Objection]:
    """Every objection ever filed on the record, oldest first (changes only)."""
    rows = await session.scalars(
        select(Objection)
        .where(Objection.record_id == record_id)
        .order_by(Objection.filed_at, Objection.id)
    )
    return list(rows)
