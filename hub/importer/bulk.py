"""A batch's writes: COPY and one set-based upsert per table on PostgreSQL.

The batch has already judged every row (:mod:`hub.importer.batch`); what is
left is to store the entities, records and list memberships it found new or
changed, and the rows it quarantined.

On PostgreSQL each table's rows are streamed with ``COPY`` (asyncpg's
``copy_records_to_table`` on the session's own driver connection, inside the
batch's transaction) into a temporary table shaped like the target, and one
statement moves them over::

    WITH batch AS (DELETE FROM hub_import_credit_records RETURNING *)
    INSERT INTO credit_records (…) SELECT …, now, now FROM batch
    ON CONFLICT (source, source_id) DO UPDATE SET … = excluded.…

COPY's binary format carries every value as it is — tabs, newlines,
backslashes, quotes, CJK — with no quoting to get wrong.  The DELETE empties
the temporary table in the same statement, so a later batch on the same
connection starts from nothing whether this one commits or rolls back.  On
SQLite the rows go out as one multi-row INSERT and one executemany UPDATE
per table, as they always have.

Example (inside a batch's transaction)::

    await upsert(session, RECORDS_SPEC, inserts, updates, now)
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.ext.asyncio import AsyncSession

from hub.importer import repository as repo

__all__ = [
    "ENTITIES_SPEC",
    "LISTS_SPEC",
    "QUARANTINE_SPEC",
    "RECORDS_SPEC",
    "TableSpec",
    "quarantine",
    "upsert",
]


@dataclass(frozen=True)
class TableSpec:
    """How one table is written: its natural key, the columns the import owns,
    and what a new row gets besides them."""

    table: Table
    key: tuple[str, ...]
    fields: tuple[str, ...]
    # The column an SQLite UPDATE finds the row by (uscc, or the row's id).
    update_by: str
    # Columns only an INSERT sets, with their SQL values (``:now`` is the batch's).
    on_insert: Mapping[str, str] = field(default_factory=dict)
    # ON CONFLICT … DO UPDATE only where this holds (``None``: insert only).
    update_where: str | None = "true"
    json_columns: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.key, *(f for f in self.fields if f not in self.key))

    @property
    def scratch(self) -> str:
        return f"hub_import_{self.table.name}"


_STAMPS = {"created_at": ":now", "updated_at": ":now"}

ENTITIES_SPEC = TableSpec(
    repo.ENTITIES,
    ("uscc",),
    repo.ENTITY_FIELDS,
    "uscc",
    {**_STAMPS, "data_version": "1"},
)
RECORDS_SPEC = TableSpec(
    repo.RECORDS,
    ("source", "source_id"),
    repo.RECORD_FIELDS,
    "id",
    {**_STAMPS, "fetched_at": "NULL"},
    # A record never moves to another enterprise, even when another writer
    # stored its key between this batch's look-up and its write.
    update_where="credit_records.uscc = excluded.uscc",
    json_columns=("details",),
)
LISTS_SPEC = TableSpec(
    repo.LISTS,
    ("uscc", "kind", "list_name", "since"),
    repo.LIST_FIELDS,
    "id",
    _STAMPS,
)
QUARANTINE_SPEC = TableSpec(
    repo.QUARANTINE,
    (),
    ("source_file", "line_no", "row_type", "raw", "reason", "created_at"),
    "id",
    update_where=None,
)


def _is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


async def upsert(
    session: AsyncSession,
    spec: TableSpec,
    inserts: Sequence[Mapping[str, Any]],
    updates: Sequence[Mapping[str, Any]],
    now: datetime,
) -> None:
    """Insert ``inserts`` and update ``updates`` (rows carry key and fields).

    SQLite rows carry the ``on_insert`` columns themselves and updates carry
    ``spec.update_by``; PostgreSQL takes both from ``spec`` and the key.
    """
    if not inserts and not updates:
        return
    if _is_postgres(session):
        await _copy_upsert(session, spec, [*inserts, *updates], now)
        return
    await repo.insert_many(session, spec.table, inserts)
    await repo.update_many(
        session, spec.table, spec.update_by, [*spec.fields, "updated_at"], updates
    )


async def quarantine(session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> None:
    """Store rejected rows (source_file, line_no, row_type, raw, reason)."""
    if not rows:
        return
    if _is_postgres(session):
        await _copy_upsert(session, QUARANTINE_SPEC, rows, None)
        return
    await repo.quarantine(session, rows)


def _move_sql(spec: TableSpec) -> str:
    cols = spec.columns
    into = [*cols, *spec.on_insert]
    picked = [*cols, *spec.on_insert.values()]
    sql = (
        f"WITH batch AS (DELETE FROM {spec.scratch} RETURNING *) "
        f"INSERT INTO {spec.table.name} ({', '.join(into)}) "
        f"SELECT {', '.join(picked)} FROM batch"
    )
    if spec.update_where is None:
        return sql.replace(":now", "CAST(:now AS timestamptz)")
    sets = [f"{f} = excluded.{f}" for f in spec.fields if f not in spec.key]
    sql += (
        f" ON CONFLICT ({', '.join(spec.key)}) DO UPDATE SET "
        f"{', '.join(sets)}, updated_at = excluded.updated_at"
        f" WHERE {spec.update_where}"
    )
    return sql.replace(":now", "CAST(:now AS timestamptz)")


def _scratch_sql(spec: TableSpec) -> str:
    # Same column types as the target, no constraints; kept for the
    # connection's life (each batch's move statement empties it).
    return (
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {spec.scratch} AS "
        f"SELECT {', '.join(spec.columns)} FROM {spec.table.name} WITH NO DATA"
    )


_SQL = {
    spec.table.name: (text(_scratch_sql(spec)), text(_move_sql(spec)))
    for spec in (ENTITIES_SPEC, RECORDS_SPEC, LISTS_SPEC, QUARANTINE_SPEC)
}


def _tuples(
    spec: TableSpec, rows: Sequence[Mapping[str, Any]]
) -> list[tuple[Any, ...]]:
    cols = spec.columns
    if not spec.json_columns:
        return [tuple(r[c] for c in cols) for r in rows]
    # The text SQLAlchemy's JSON type sends (json.dumps defaults), None
    # included: it stores JSON null, not SQL NULL.
    jsons = set(spec.json_columns)
    return [tuple(json.dumps(r[c]) if c in jsons else r[c] for c in cols) for r in rows]


async def _copy_upsert(
    session: AsyncSession,
    spec: TableSpec,
    rows: Sequence[Mapping[str, Any]],
    now: datetime | None,
) -> None:
    create, move = _SQL[spec.table.name]
    # Through the session first: this also opens the batch's transaction on
    # the connection, so the COPY below is part of it.
    await session.execute(create)
    conn = await session.connection()
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    if driver is None or not driver.is_in_transaction():
        raise RuntimeError("COPY outside the batch's transaction")
    await driver.copy_records_to_table(
        spec.scratch, records=_tuples(spec, rows), columns=list(spec.columns)
    )
    await session.execute(move, {"now": now} if ":now" in str(move) else {})
