"""All SQL of profile reads.  Every function serves a whole batch in one statement."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import Date, Row, Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.enums import DataCategory
from hub.models import CreditRecord, ListMembership, SourceStatusRow
from hub.profiles.visibility import list_visible, record_visible

__all__ = [
    "RECORDS_IN_ONE",
    "RecordRow",
    "list_memberships",
    "record_counts",
    "record_pages",
    "records_in_one",
    "sources",
]

RECORD_CATEGORIES = tuple(
    c.value for c in DataCategory if c is not DataCategory.EVALUATION
)


_R = CreditRecord.__table__.c
_RECORD_COLUMNS = (
    _R.id,
    _R.uscc,
    _R.source,
    _R.category,
    _R.kind,
    _R.severity,
    _R.status,
    _R.title,
    _R.authority,
    _R.occurred_on,
    _R.decided_on,
    _R.publish_from,
    _R.publish_until,
    _R.details,
)


def _pages_statement(for_subject: bool, with_after: bool) -> Select[Any]:
    """Built once per shape; values travel as bind parameters, so the compiled
    SQL is cached and nothing is rebuilt per request."""
    sort_day = func.coalesce(_R.decided_on, _R.occurred_on, bindparam("min_day"))
    visible = [
        _R.uscc.in_(bindparam("usccs", expanding=True)),
        _R.category.in_(bindparam("categories", expanding=True)),
        record_visible(bindparam("today", type_=Date), for_subject),  # type: ignore[arg-type]
    ]
    ranked = (
        select(
            *_RECORD_COLUMNS,
            sort_day.label("sort_day"),
            func.count().over(partition_by=_R.uscc).label("total"),
        )
        .where(*visible)
        .subquery()
    )
    paged = select(
        ranked,
        func.row_number()
        .over(
            partition_by=ranked.c.uscc,
            order_by=(ranked.c.sort_day.desc(), ranked.c.id.desc()),
        )
        .label("rn"),
    )
    if with_after:
        day = bindparam("after_day", type_=Date)
        rid = bindparam("after_id", type_=_R.id.type)
        paged = paged.where(
            (ranked.c.sort_day < day)
            | ((ranked.c.sort_day == day) & (ranked.c.id < rid))
        )
    inner = paged.subquery()
    return (
        select(inner)
        .where(inner.c.rn <= bindparam("limit"))
        .order_by(inner.c.uscc, inner.c.rn)
    )


_PAGES = {
    (subj, after): _pages_statement(subj, after)
    for subj in (False, True)
    for after in (False, True)
}


async def record_pages(
    session: AsyncSession,
    usccs: Sequence[str],
    categories: Sequence[str],
    *,
    today: date,
    for_subject: bool,
    limit: int,
    after: tuple[str, int] | None,
) -> tuple[dict[str, list[Row[Any]]], dict[str, int]]:
    """Up to ``limit`` records per entity, newest decision first, and each
    entity's total — one Core query (no ORM objects on the hot path)."""
    params: dict[str, Any] = {
        "usccs": list(usccs),
        "categories": list(categories),
        "today": today,
        "limit": limit,
        "min_day": date.min,
    }
    if after is not None:
        params["after_day"], params["after_id"] = date.fromisoformat(after[0]), after[1]
    stmt = _PAGES[(for_subject, after is not None)]
    pages: dict[str, list[Row[Any]]] = defaultdict(list)
    totals: dict[str, int] = {}
    for row in (await session.execute(stmt, params)).all():
        pages[row.uscc].append(row)
        totals[row.uscc] = int(row.total)
    return pages, totals


async def record_counts(
    session: AsyncSession,
    usccs: Sequence[str],
    categories: Sequence[str],
    *,
    today: date,
    for_subject: bool,
) -> dict[str, int]:
    """Totals alone (used when a page past the end leaves no row to carry them)."""
    stmt = (
        select(_R.uscc, func.count(_R.id))
        .where(
            _R.uscc.in_(usccs),
            _R.category.in_(categories),
            record_visible(today, for_subject),
        )
        .group_by(_R.uscc)
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
    stmt = (
        select(SourceStatusRow)
        .where(SourceStatusRow.uscc.in_(usccs), SourceStatusRow.source.in_(names))
        .order_by(SourceStatusRow.source)
    )
    for row in await session.scalars(stmt):
        out[row.uscc].append(row)
    return out


# The page of records a single read returns with its grant, as the read of
# ``hub.access.door.read_in_one``: $11 categories asked, $12 shared statuses,
# $13 today, $14 limit.  Columns are prefixed (the entity's share names);
# the window count runs before LIMIT, so ``r_total`` counts every match.
RECORDS_IN_ONE = """
    SELECT r.id AS r_id, r.source AS r_source, r.category AS r_category,
           r.kind AS r_kind, r.severity AS r_severity, r.status AS r_status,
           r.title AS r_title, r.authority AS r_authority,
           r.occurred_on AS r_occurred_on, r.decided_on AS r_decided_on,
           r.publish_from AS r_publish_from, r.publish_until AS r_publish_until,
           r.details AS r_details, count(*) OVER () AS r_total
    FROM credit_records AS r, used
    WHERE r.uscc = $1 AND r.category = ANY(used.covered)
      AND r.category = ANY($11::text[]) AND r.status = ANY($12::text[])
      AND (r.publish_from IS NULL OR r.publish_from <= $13)
      AND (r.publish_until IS NULL OR r.publish_until >= $13)
    ORDER BY coalesce(r.decided_on, r.occurred_on, DATE '0001-01-01') DESC,
             r.id DESC
    LIMIT $14
"""


class RecordRow(NamedTuple):
    """A record as :data:`RECORDS_IN_ONE` returns it (the attributes the
    general path's rows have)."""

    id: int
    source: str
    category: str
    kind: str
    severity: str
    status: str
    title: str
    authority: str | None
    occurred_on: date | None
    decided_on: date | None
    publish_from: date | None
    publish_until: date | None
    details: Any


def _json(value: Any) -> Any:
    # The pool's connections decode JSON (SQLAlchemy's codec); a bare
    # asyncpg connection returns the text.
    return json.loads(value) if isinstance(value, str) else value


def records_in_one(rows: Sequence[Any]) -> tuple[list[RecordRow], int]:
    """The page and the total from the rows of a single read."""
    page = [
        RecordRow(
            r["r_id"],
            r["r_source"],
            r["r_category"],
            r["r_kind"],
            r["r_severity"],
            r["r_status"],
            r["r_title"],
            r["r_authority"],
            r["r_occurred_on"],
            r["r_decided_on"],
            r["r_publish_from"],
            r["r_publish_until"],
            _json(r["r_details"]),
        )
        for r in rows
        if r["r_id"] is not None
    ]
    return page, int(rows[0]["r_total"] or 0) if page else 0
