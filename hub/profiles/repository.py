"""All SQL of profile reads.  Every function serves a whole batch in one statement."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.enums import DataCategory
from hub.models import CreditRecord, Entity, ListMembership, SourceStatusRow
from hub.profiles.visibility import list_visible, record_visible

__all__ = ["entities", "list_memberships", "record_counts", "record_pages", "sources"]

RECORD_CATEGORIES = tuple(c.value for c in DataCategory if c is not DataCategory.EVALUATION)


async def entities(session: AsyncSession, usccs: Sequence[str]) -> dict[str, Entity]:
    rows = await session.scalars(select(Entity).where(Entity.uscc.in_(usccs)))
    return {e.uscc: e for e in rows}


async def record_pages(
    session: AsyncSession,
    usccs: Sequence[str],
    categories: Sequence[str],
    *,
    today: date,
    for_subject: bool,
    limit: int,
    after: tuple[str, int] | None,
) -> dict[str, list[CreditRecord]]:
    """Up to ``limit`` records per entity, newest decision first (one query)."""
    order = (
        func.coalesce(CreditRecord.decided_on, CreditRecord.occurred_on).desc(),
        CreditRecord.id.desc(),
    )
    sort_day = func.coalesce(CreditRecord.decided_on, CreditRecord.occurred_on, date.min)
    conds = [
        CreditRecord.uscc.in_(usccs),
        CreditRecord.category.in_(categories),
        record_visible(today, for_subject),
    ]
    if after is not None:
        day, rid = date.fromisoformat(after[0]), after[1]
        conds.append(
            (sort_day < day) | ((sort_day == day) & (CreditRecord.id < rid))
        )
    ranked = (
        select(
            CreditRecord,
            func.row_number()
            .over(partition_by=CreditRecord.uscc, order_by=order)
            .label("rn"),
        )
        .where(*conds)
        .subquery()
    )
    from sqlalchemy.orm import aliased

    rec = aliased(CreditRecord, ranked)
    stmt = select(rec).where(ranked.c.rn <= limit).order_by(
        ranked.c.uscc, ranked.c.rn
    )
    out: dict[str, list[CreditRecord]] = defaultdict(list)
    for row in await session.scalars(stmt):
        out[row.uscc].append(row)
    return out


async def record_counts(
    session: AsyncSession,
    usccs: Sequence[str],
    categories: Sequence[str],
    *,
    today: date,
    for_subject: bool,
) -> dict[str, int]:
    stmt = (
        select(CreditRecord.uscc, func.count(CreditRecord.id))
        .where(
            CreditRecord.uscc.in_(usccs),
            CreditRecord.category.in_(categories),
            record_visible(today, for_subject),
        )
        .group_by(CreditRecord.uscc)
    )
    return {u: int(n) for u, n in (await session.execute(stmt)).all()}


async def list_memberships(
    session: AsyncSession, usccs: Sequence[str], kinds: Sequence[str], today: date
) -> dict[str, list[ListMembership]]:
    out: dict[str, list[ListMembership]] = defaultdict(list)
    if not kinds:
        return out
    stmt = (
        select(ListMembership)
        .where(
            ListMembership.uscc.in_(usccs),
            ListMembership.kind.in_(kinds),
            list_visible(today),
        )
        .order_by(ListMembership.uscc, ListMembership.since.desc())
    )
    for row in await session.scalars(stmt):
        out[row.uscc].append(row)
    return out


async def sources(
    session: AsyncSession, usccs: Sequence[str], names: Sequence[str]
) -> dict[str, list[SourceStatusRow]]:
    out: dict[str, list[SourceStatusRow]] = defaultdict(list)
    if not names:
        return out
    stmt = select(SourceStatusRow).where(
        SourceStatusRow.uscc.in_(usccs), SourceStatusRow.source.in_(names)
    ).order_by(SourceStatusRow.source)
    for row in await session.scalars(stmt):
        out[row.uscc].append(row)
    return out
