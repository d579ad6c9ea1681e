"""All SQL of the importer: batched look-ups and bulk writes.

A batch costs a constant number of statements whatever its size: one look-up
per row type (the record look-up also says which records carry a CORRECTED
objection), one multi-row INSERT and one executemany UPDATE per table, one
``data_version`` bump and one quarantine INSERT.  Core statements, not ORM
objects, because a million-row file must not build a million objects.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    String,
    Table,
    and_,
    bindparam,
    case,
    column,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from hub.enums import ObjectionStatus
from hub.models import (
    CreditRecord,
    Entity,
    ImportRun,
    ListMembership,
    Objection,
    QuarantinedRow,
)
from hub.rights.objections import CORRECTABLE

__all__ = [
    "CORRECTABLE",
    "ENTITY_FIELDS",
    "LIST_FIELDS",
    "RECORD_FIELDS",
    "insert_many",
    "load_entities",
    "load_lists",
    "load_records",
    "quarantine",
    "finish_run",
    "quarantine_files",
    "recent_runs",
    "quarantined",
    "resolve",
    "set_reasons",
    "update_many",
]

ENTITIES: Table = Entity.__table__  # type: ignore[assignment]
RECORDS: Table = CreditRecord.__table__  # type: ignore[assignment]
LISTS: Table = ListMembership.__table__  # type: ignore[assignment]
QUARANTINE: Table = QuarantinedRow.__table__  # type: ignore[assignment]
OBJECTIONS: Table = Objection.__table__  # type: ignore[assignment]

# Columns the import owns; everything else (ids, timestamps, data_version) is
# the hub's own bookkeeping.
ENTITY_FIELDS = (
    "name",
    "kind",
    "region_code",
    "industry_code",
    "established_on",
    "registered_capital",
    "legal_representative",
    "status",
)
RECORD_FIELDS = (
    "uscc",
    "category",
    "kind",
    "severity",
    "status",
    "title",
    "authority",
    "occurred_on",
    "decided_on",
    "ended_on",
    "publish_from",
    "publish_until",
    "details",
)
LIST_FIELDS = ("basis", "until", "source", "record_source", "record_source_id")

RecordKey = tuple[str, str]
ListKey = tuple[str, str, str, date]


async def load_entities(
    session: AsyncSession, usccs: Iterable[str]
) -> dict[str, dict[str, Any]]:
    """Import-owned fields of the entities that exist, by USCC."""
    keys = list(set(usccs))
    if not keys:
        return {}
    cols = [ENTITIES.c.uscc, *(ENTITIES.c[f] for f in ENTITY_FIELDS)]
    result = await session.execute(select(*cols).where(ENTITIES.c.uscc.in_(keys)))
    return {row.uscc: {f: row._mapping[f] for f in ENTITY_FIELDS} for row in result}


def _records_matching(keys: list[RecordKey], dialect: str) -> Any:
    """A FROM/WHERE that finds these (source, source_id) pairs by the index.

    A row-value ``IN`` looks portable but SQLite answers it by scanning the
    whole index, so each dialect gets the form its planner turns into index
    look-ups: a join against ``unnest`` of two arrays on PostgreSQL, one
    ``source = ? AND source_id IN (…)`` branch per source on SQLite.
    """
    if dialect == "postgresql":
        pairs = func.unnest(
            bindparam("k_sources", [k[0] for k in keys], type_=ARRAY(String)),
            bindparam("k_ids", [k[1] for k in keys], type_=ARRAY(String)),
        ).table_valued(column("source", String), column("source_id", String))
        pairs = pairs.render_derived(name="k")
        return RECORDS.join(
            pairs,
            and_(
                RECORDS.c.source == pairs.c.source,
                RECORDS.c.source_id == pairs.c.source_id,
            ),
        ), None
    by_source: dict[str, list[str]] = {}
    for source, source_id in keys:
        by_source.setdefault(source, []).append(source_id)
    return RECORDS, or_(
        *(
            and_(RECORDS.c.source == source, RECORDS.c.source_id.in_(ids))
            for source, ids in by_source.items()
        )
    )


async def load_records(
    session: AsyncSession, keys: Iterable[RecordKey]
) -> dict[RecordKey, dict[str, Any]]:
    """Existing records by (source, source_id), with their ``id``.

    ``corrected`` says whether an objection was resolved CORRECTED: its
    corrections outrank later deliveries (征信业管理条例 Art 25).
    """
    wanted = list(set(keys))
    if not wanted:
        return {}
    corrected = exists().where(
        OBJECTIONS.c.record_id == RECORDS.c.id,
        OBJECTIONS.c.status == str(ObjectionStatus.CORRECTED),
    )
    cols = [
        RECORDS.c.id,
        RECORDS.c.source,
        RECORDS.c.source_id,
        *(RECORDS.c[f] for f in RECORD_FIELDS),
        corrected.label("corrected"),
    ]
    source, where = _records_matching(wanted, session.get_bind().dialect.name)
    stmt = select(*cols).select_from(source)
    if where is not None:
        stmt = stmt.where(where)
    found: dict[RecordKey, dict[str, Any]] = {}
    for row in await session.execute(stmt):
        m = row._mapping
        found[(row.source, row.source_id)] = {
            "id": row.id,
            **{f: m[f] for f in RECORD_FIELDS},
            "corrected": bool(row.corrected),
        }
    return found


async def load_lists(
    session: AsyncSession, usccs: Iterable[str]
) -> dict[ListKey, dict[str, Any]]:
    """Existing list memberships of these entities, by their natural key."""
    keys = list(set(usccs))
    if not keys:
        return {}
    cols = [
        LISTS.c.id,
        LISTS.c.uscc,
        LISTS.c.kind,
        LISTS.c.list_name,
        LISTS.c.since,
        *(LISTS.c[f] for f in LIST_FIELDS),
    ]
    found: dict[ListKey, dict[str, Any]] = {}
    for row in await session.execute(select(*cols).where(LISTS.c.uscc.in_(keys))):
        m = row._mapping
        key = (row.uscc, row.kind, row.list_name, row.since)
        found[key] = {"id": row.id, **{f: m[f] for f in LIST_FIELDS}}
    return found


async def insert_many(
    session: AsyncSession, table: Table, rows: Sequence[Mapping[str, Any]]
) -> None:
    if rows:
        await session.execute(table.insert(), list(rows))


async def update_many(
    session: AsyncSession,
    table: Table,
    key: str,
    fields: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
) -> None:
    """executemany UPDATE ``fields`` WHERE ``key``; rows carry ``key`` and fields.

    Bind names are prefixed because SQLAlchemy reserves column names for the
    SET clause.
    """
    if not rows:
        return
    stmt = (
        update(table)
        .where(table.c[key] == bindparam(f"k_{key}"))
        .values({f: bindparam(f"v_{f}") for f in fields})
    )
    params = [{f"k_{key}": r[key], **{f"v_{f}": r[f] for f in fields}} for r in rows]
    # Core executemany: no ORM bulk-by-primary-key machinery involved.
    conn = await session.connection()
    await conn.execute(stmt, params)


async def quarantine(session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> None:
    """Store rejected rows (source_file, line_no, row_type, raw, reason)."""
    await insert_many(session, QUARANTINE, rows)


async def quarantined(
    session: AsyncSession,
    *,
    source_file: str | None = None,
    include_resolved: bool = False,
    after_id: int = 0,
    limit: int | None = None,
) -> list[QuarantinedRow]:
    """Quarantined rows in id order (oldest first), optionally for one file."""
    stmt = select(QuarantinedRow).where(QuarantinedRow.id > after_id)
    if source_file is not None:
        stmt = stmt.where(QuarantinedRow.source_file == source_file)
    if not include_resolved:
        stmt = stmt.where(QuarantinedRow.resolved_at.is_(None))
    stmt = stmt.order_by(QuarantinedRow.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list((await session.scalars(stmt)).all())


async def quarantine_files(
    session: AsyncSession,
) -> list[tuple[str, int, int, datetime, datetime]]:
    """Per source file: (file, unresolved rows, resolved rows, first, last seen)."""
    unresolved = func.sum(case((QuarantinedRow.resolved_at.is_(None), 1), else_=0))
    stmt = (
        select(
            QuarantinedRow.source_file,
            unresolved,
            func.count(QuarantinedRow.id) - unresolved,
            func.min(QuarantinedRow.created_at),
            func.max(QuarantinedRow.created_at),
        )
        .group_by(QuarantinedRow.source_file)
        .order_by(func.max(QuarantinedRow.created_at).desc())
    )
    return [
        (str(f), int(u or 0), int(r or 0), first, last)
        for f, u, r, first, last in (await session.execute(stmt)).all()
    ]


async def finish_run(
    session: AsyncSession,
    run_id: str,
    *,
    status: str,
    finished_at: datetime,
    error: str | None,
    counts: Mapping[str, int],
) -> None:
    await session.execute(
        update(ImportRun)
        .where(ImportRun.id == run_id)
        .values(status=status, finished_at=finished_at, error=error, **counts)
    )


async def recent_runs(session: AsyncSession, limit: int) -> list[ImportRun]:
    stmt = (
        select(ImportRun)
        .order_by(ImportRun.started_at.desc(), ImportRun.id.desc())
        .limit(limit)
    )
    return list((await session.scalars(stmt)).all())


async def resolve(session: AsyncSession, ids: Sequence[int], now: datetime) -> None:
    if ids:
        await session.execute(
            update(QUARANTINE)
            .where(QUARANTINE.c.id.in_(list(ids)))
            .values(resolved_at=now)
        )


async def set_reasons(
    session: AsyncSession, reasons: Sequence[tuple[int, str]]
) -> None:
    """Replace the reasons of rows that failed again (their cause may differ)."""
    await update_many(
        session,
        QUARANTINE,
        "id",
        ["reason"],
        [{"id": i, "reason": r} for i, r in reasons],
    )
