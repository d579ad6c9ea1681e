"""All SQL of connector pulls: record upserts, source status, quarantine.

Upserts use INSERT … ON CONFLICT on (source, source_id), so concurrent pulls
of the same enterprise (other requests, other workers) never collide, and
``RETURNING`` tells exactly which rows were new or changed.  A record whose
objection was resolved CORRECTED keeps its corrected fields (征信业管理条例
Art 25); a pull never moves a record to another enterprise (the service
refuses such an answer, see :func:`existing_records`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Table,
    Text,
    and_,
    case,
    cast,
    exists,
    not_,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.records import RecordIn, publication_status
from hub.clock import calendar_day
from hub.db import upsert_insert
from hub.enums import (
    DataCategory,
    ListMembershipStatus,
    ObjectionStatus,
    RecordStatus,
)
from hub.events.changes import CONTENT_FIELDS
from hub.importer.repository import RECORD_FIELDS
from hub.models import (
    CreditRecord,
    Entity,
    ListMembership,
    Objection,
    QuarantinedRow,
    SourceStatusRow,
)
from hub.rights.objections import CORRECTABLE

__all__ = [
    "Existing",
    "end_withdrawn",
    "entity_name",
    "existing_records",
    "load_statuses",
    "quarantine_payload",
    "save_status",
    "upsert_listings",
    "upsert_records",
]

RECORDS: Table = CreditRecord.__table__  # type: ignore[assignment]
STATUS: Table = SourceStatusRow.__table__  # type: ignore[assignment]
LISTS: Table = ListMembership.__table__  # type: ignore[assignment]
OBJECTIONS: Table = Objection.__table__  # type: ignore[assignment]

# Fields a source owns — the CORRECTABLE ones until an objection corrects
# them; status only while the hub's own workflows (objection, repair,
# revocation) have not taken the record over.  Never ``uscc``.
_VALUE_FIELDS = tuple(f for f in RECORD_FIELDS if f not in ("uscc", "status"))
_SOURCE_STATUSES = (str(RecordStatus.ACTIVE), str(RecordStatus.EXPIRED))
# What a written or ended record is reported with (hub.events.changes).
_TOLD = ("status", *CONTENT_FIELDS)


async def entity_name(session: AsyncSession, uscc: str) -> str | None:
    """The entity's name, or None when the hub does not know the enterprise."""
    return await session.scalar(select(Entity.name).where(Entity.uscc == uscc))


@dataclass(frozen=True, slots=True)
class Existing:
    """What a pull must know about a record the hub already holds."""

    id: int
    uscc: str
    publish_until: date | None
    #: An objection was resolved CORRECTED: the corrected fields stay.
    corrected: bool
    #: Status and content as stored, to tell what a pull changed (events).
    values: dict[str, Any] = field(default_factory=dict)


async def existing_records(
    session: AsyncSession, records: Sequence[RecordIn]
) -> dict[tuple[str, str], Existing]:
    """The stored records these pulled ones would update, by (source, source_id).

    One statement per pull whatever its size.
    """
    by_source: dict[str, list[str]] = {}
    for r in records:
        by_source.setdefault(r.source, []).append(r.source_id)
    if not by_source:
        return {}
    corrected = exists().where(
        OBJECTIONS.c.record_id == RECORDS.c.id,
        OBJECTIONS.c.status == str(ObjectionStatus.CORRECTED),
    )
    stmt = select(
        RECORDS.c.id,
        RECORDS.c.source,
        RECORDS.c.source_id,
        RECORDS.c.uscc,
        *(RECORDS.c[f] for f in _TOLD),
        corrected.label("corrected"),
    ).where(
        or_(
            *(
                and_(RECORDS.c.source == source, RECORDS.c.source_id.in_(ids))
                for source, ids in by_source.items()
            )
        )
    )
    return {
        (row.source, row.source_id): Existing(
            row.id,
            row.uscc,
            row.publish_until,
            bool(row.corrected),
            {f: row._mapping[f] for f in _TOLD},
        )
        for row in await session.execute(stmt)
    }


def _differs(f: str, new: Any) -> Any:
    # JSON has no equality operator on PostgreSQL; its text form is stable
    # because both sides were serialised by the same encoder.
    if f == "details":
        return cast(RECORDS.c[f], Text).is_distinct_from(cast(new[f], Text))
    return RECORDS.c[f].is_distinct_from(new[f])


async def upsert_records(
    session: AsyncSession,
    records: Sequence[RecordIn],
    now: datetime,
    existing: Mapping[tuple[str, str], Existing] | None = None,
) -> list[Any]:
    """Insert new records, update changed ones; return the rows written (``id``,
    ``source``, ``source_id``, ``uscc``, status and content as stored).

    ``existing`` is :func:`existing_records` of ``records`` (looked up here
    when not given).  Records with a CORRECTED objection keep their corrected
    fields; their status follows the corrected publication window.
    """
    if not records:
        return []
    if existing is None:
        existing = await existing_records(session, records)
    # Record dates are China calendar days (hub.clock).
    today = calendar_day(now)
    rows = []
    for r in records:
        old = existing.get((r.source, r.source_id))
        until = old.publish_until if old and old.corrected else r.publish_until
        rows.append(
            {
                **r.model_dump(include={"uscc", "source", "source_id", *_VALUE_FIELDS}),
                "category": str(r.category),
                "severity": str(r.severity),
                "status": str(publication_status(r.status, until, today)),
                "created_at": now,
                "updated_at": now,
                "fetched_at": now,
            }
        )
    stmt = upsert_insert(session)(RECORDS).values(rows)
    new = stmt.excluded
    keeps_status = RECORDS.c.status.in_(_SOURCE_STATUSES)
    fixed_ids = sorted(e.id for e in existing.values() if e.corrected)
    source_owned = [f for f in _VALUE_FIELDS if f not in CORRECTABLE]
    if fixed_ids:
        fixed = RECORDS.c.id.in_(fixed_ids)
        values = {
            f: case((fixed, RECORDS.c[f]), else_=new[f]) if f in CORRECTABLE else new[f]
            for f in _VALUE_FIELDS
        }
        changed = or_(
            *(_differs(f, new) for f in source_owned),
            and_(not_(fixed), or_(*(_differs(f, new) for f in CORRECTABLE))),
            and_(keeps_status, RECORDS.c.status != new.status),
        )
    else:
        values = {f: new[f] for f in _VALUE_FIELDS}
        changed = or_(
            *(_differs(f, new) for f in _VALUE_FIELDS),
            and_(keeps_status, RECORDS.c.status != new.status),
        )
    stmt = stmt.on_conflict_do_update(
        index_elements=["source", "source_id"],
        set_={
            **values,
            "status": case((keeps_status, new.status), else_=RECORDS.c.status),
            "updated_at": new.updated_at,
            "fetched_at": new.fetched_at,
        },
        where=changed,
    ).returning(
        RECORDS.c.id,
        RECORDS.c.source,
        RECORDS.c.source_id,
        RECORDS.c.uscc,
        *(RECORDS.c[f] for f in _TOLD),
    )
    written = list((await session.execute(stmt)).all())
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
) -> list[Any]:
    """End ACTIVE records this source published before but no longer does;
    return them (``id``, ``category``, ``source_id``).

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
        .returning(RECORDS.c.id, RECORDS.c.category, RECORDS.c.source_id)
    )
    return list((await session.execute(stmt)).all())


async def upsert_listings(
    session: AsyncSession, rows: Sequence[Mapping[str, Any]]
) -> int:
    """Insert or update list memberships by (uscc, kind, list_name, since);
    how many were written.  An ENDED membership is left as it is: a pull
    never revives a listing the hub has ended."""
    if not rows:
        return 0
    stmt = upsert_insert(session)(LISTS).values(list(rows))
    new = stmt.excluded
    fields = ("until", "basis", "source", "record_source", "record_source_id")
    stmt = stmt.on_conflict_do_update(
        index_elements=["uscc", "kind", "list_name", "since"],
        set_={**{f: new[f] for f in fields}, "updated_at": new.updated_at},
        where=and_(
            LISTS.c.status != ListMembershipStatus.ENDED.value,
            or_(*(LISTS.c[f].is_distinct_from(new[f]) for f in fields)),
        ),
    ).returning(LISTS.c.id)
    return len((await session.execute(stmt)).all())


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
    stmt = upsert_insert(session)(STATUS).values(values)
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
