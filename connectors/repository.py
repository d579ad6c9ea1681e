"""All SQL of connector pulls: record upserts, source status, quarantine.

Upserts use INSERT … ON CONFLICT on (source, source_id), so concurrent pulls
of the same enterprise (other requests, other workers) never collide, and
``RETURNING`` tells exactly which rows were new or changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence, Set
from datetime import date, datetime

from sqlalchemy import Table, Text, and_, case, cast, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.records import RecordIn
from hub.enums import DataCategory, RecordStatus
from hub.models import CreditRecord, Entity, QuarantinedRow, SourceStatusRow

__all__ = [
    "bump_data_version",
    "end_withdrawn",
    "entity_name",
    "load_statuses",
    "quarantine_payload",
    "save_status",
    "upsert_records",
]

RECORDS: Table = CreditRecord.__table__  # type: ignore[assignment]
STATUS: Table = SourceStatusRow.__table__  # type: ignore[assignment]

# Fields a source owns; status only while the hub's own workflows (objection,
# repair, revocation) have not taken the record over.
_VALUE_FIELDS = (
    "category",
    "kind",
    "severity",
    "title",
    "authority",
    "occurred_on",
    "decided_on",
    "ended_on",
    "publish_from",
    "publish_until",
    "details",
)
_SOURCE_STATUSES = (str(RecordStatus.ACTIVE), str(RecordStatus.EXPIRED))


def _insert(session: AsyncSession):  # type: ignore[no-untyped-def]
    dialect = session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


async def entity_name(session: AsyncSession, uscc: str) -> str | None:
    """The entity's name, or None when the hub does not know the enterprise."""
    return await session.scalar(select(Entity.name).where(Entity.uscc == uscc))


async def upsert_records(
    session: AsyncSession, records: Sequence[RecordIn], now: datetime
) -> int:
    """Insert new records, update changed ones; return how many were written."""
    if not records:
        return 0
    today = now.date()
    rows = [
        {
            **r.model_dump(include={"uscc", "source", "source_id", *_VALUE_FIELDS}),
            "category": str(r.category),
            "severity": str(r.severity),
            "status": str(r.effective_status(today)),
            "created_at": now,
            "updated_at": now,
            "fetched_at": now,
        }
        for r in records
    ]
    stmt = _insert(session)(RECORDS).values(rows)
    new = stmt.excluded
    keeps_status = RECORDS.c.status.in_(_SOURCE_STATUSES)
    # JSON has no equality operator on PostgreSQL; its text form is stable
    # because both sides were serialised by the same encoder.
    changed = or_(
        *(
            cast(RECORDS.c[f], Text).is_distinct_from(cast(new[f], Text))
            if f == "details"
            else RECORDS.c[f].is_distinct_from(new[f])
            for f in _VALUE_FIELDS
        ),
        and_(keeps_status, RECORDS.c.status != new.status),
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["source", "source_id"],
        set_={
            **{f: new[f] for f in _VALUE_FIELDS},
            "status": case((keeps_status, new.status), else_=RECORDS.c.status),
            "updated_at": new.updated_at,
            "fetched_at": new.fetched_at,
        },
        where=changed,
    ).returning(RECORDS.c.id)
    written = len((await session.execute(stmt)).all())
    # Unchanged rows were skipped by the WHERE; still, they were just seen.
    await session.execute(
        update(RECORDS)
        .where(
            RECORDS.c.source == records[0].source,
            RECORDS.c.source_id.in_([r.source_id for r in records]),
        )
        .values(fetched_at=now)
    )
    return written


async def end_withdrawn(
    session: AsyncSession,
    *,
    uscc: str,
    source: str,
    categories: Set[DataCategory],
    keep: Iterable[str],
    today: date,
) -> int:
    """End ACTIVE records this source published before but no longer does.

    Only records that came from a pull (``fetched_at`` set) are touched, never
    imported ones, and only in the categories that were asked for.
    """
    stmt = (
        update(RECORDS)
        .where(
            RECORDS.c.uscc == uscc,
            RECORDS.c.source == source,
            RECORDS.c.category.in_([str(c) for c in categories]),
            RECORDS.c.fetched_at.is_not(None),
            RECORDS.c.status == str(RecordStatus.ACTIVE),
            RECORDS.c.source_id.not_in(list(keep)),
        )
        .values(status=str(RecordStatus.EXPIRED), publish_until=today, ended_on=today)
    )
    result = await session.execute(stmt)
    return int(getattr(result, "rowcount", 0) or 0)


async def bump_data_version(session: AsyncSession, uscc: str, now: datetime) -> None:
    await session.execute(
        update(Entity)
        .where(Entity.uscc == uscc)
        .values(data_version=Entity.data_version + 1, updated_at=now)
    )


async def save_status(
    session: AsyncSession,
    *,
    uscc: str,
    source: str,
    attempted_at: datetime,
    as_of: datetime | None,
    error: str | None,
) -> None:
    """Record one pull attempt; a failure keeps the last good ``as_of``."""
    values = {
        "uscc": uscc,
        "source": source,
        "last_attempt_at": attempted_at,
        "as_of": as_of,
        "error": error,
    }
    stmt = _insert(session)(STATUS).values(values)
    set_ = {
        "last_attempt_at": stmt.excluded.last_attempt_at,
        "error": stmt.excluded.error,
    }
    if as_of is not None:
        set_["as_of"] = stmt.excluded.as_of
    await session.execute(
        stmt.on_conflict_do_update(index_elements=["uscc", "source"], set_=set_)
    )


async def load_statuses(
    session: AsyncSession, uscc: str, sources: Iterable[str]
) -> dict[str, SourceStatusRow]:
    names = list(sources)
    if not names:
        return {}
    rows = await session.scalars(
        select(SourceStatusRow).where(
            SourceStatusRow.uscc == uscc, SourceStatusRow.source.in_(names)
        )
    )
    return {row.source: row for row in rows}


async def quarantine_payload(
    session: AsyncSession, *, source: str, raw: str, reason: str, now: datetime
) -> None:
    """Keep a refused answer for an operator (source_file ``connector:<name>``)."""
    session.add(
        QuarantinedRow(
            source_file=f"connector:{source}",
            line_no=0,
            row_type="payload",
            raw=raw,
            reason=reason,
            created_at=now,
            resolved_at=None,
        )
    )
    await session.flush()
