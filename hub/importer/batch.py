"""Load one batch of validated rows: idempotent upserts with per-row outcomes.

Rows are judged in file order against what the database holds plus what
earlier rows of the same batch did, so the counts are exact even when a file
repeats a key.  Writes then go out as one bulk statement per table and kind.

What the batch changed that others must hear of is announced in the same
transaction (:mod:`hub.importer.announce`).

Two things a delivery never does to an existing record: move it to another
enterprise (its objections, repairs and audit trail belong to that subject;
the row is quarantined), and undo a correction made through the objection
procedure (征信业管理条例 Art 25: the corrected fields keep their values).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub.auth.principal import SYSTEM
from hub.entities import bump_data_version
from hub.enums import RecordStatus
from hub.importer import bulk
from hub.importer import repository as repo
from hub.importer.announce import announce
from hub.importer.rows import (
    EntityRow,
    ListRow,
    RecordRow,
    Row,
    RowError,
    publication_status,
)
from hub.rights.memberships import ListEndReason, end_memberships_resting_on

__all__ = ["Outcome", "Parsed", "load_batch", "refuse"]

# Statuses set by the objection and repair workflows (征信业管理条例 Art 25,
# 信用修复管理办法); a re-import that does not name a status leaves them alone.
_WORKFLOW_STATUSES = {
    RecordStatus.DISPUTED,
    RecordStatus.REPAIRED,
    RecordStatus.REVOKED,
}


class Outcome(StrEnum):
    INSERTED = "inserted"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    QUARANTINED = "quarantined"


@dataclass(slots=True)
class Parsed:
    """One input row and either its validated form or why it was refused."""

    line_no: int
    raw: str
    row_type: str | None
    row: Row | None
    reason: str | None = None
    outcome: Outcome | None = None


def _judge(
    prev: dict[str, Any] | None, new: dict[str, Any], fields: Sequence[str]
) -> Outcome:
    if prev is None:
        return Outcome.INSERTED
    if all(prev.get(f) == new[f] for f in fields):
        return Outcome.UNCHANGED
    return Outcome.UPDATED


def _entity_values(row: EntityRow) -> dict[str, Any]:
    values = {f: getattr(row, f) for f in repo.ENTITY_FIELDS}
    values["kind"] = str(row.kind)
    return values


def _record_values(
    row: RecordRow, prev: dict[str, Any] | None, today: date
) -> dict[str, Any]:
    values = {f: getattr(row, f) for f in repo.RECORD_FIELDS if f != "status"}
    if prev is not None and prev.get("corrected"):
        # An objection resolved CORRECTED outranks the source's original
        # values (征信业管理条例 Art 25); the window is the corrected one.
        values.update({f: prev[f] for f in repo.CORRECTABLE})
    status = publication_status(row.status, values["publish_until"], today)
    if prev is not None and prev["status"] in _WORKFLOW_STATUSES:
        # Objection, repair and revocation own these statuses; a delivery —
        # whatever status it names — never revives a withdrawn or repaired
        # record or ends a dispute.
        status = RecordStatus(prev["status"])
    values["status"] = status.value
    for f in ("category", "severity"):
        values[f] = str(values[f])
    return values


def _list_values(row: ListRow) -> dict[str, Any]:
    return {f: getattr(row, f) for f in repo.LIST_FIELDS}


def _missing_entity(uscc: str) -> str:
    return (
        f"no entity with uscc {uscc!r} in the hub or earlier in this file; "
        "import its entity row first, then run `xinyi-hub quarantine resubmit`"
    )


def _moved(row: RecordRow, owner: str) -> str:
    return (
        f"record ({row.source!r}, {row.source_id!r}) belongs to uscc {owner!r} "
        f"and cannot move to {row.uscc!r}; a record never changes its subject — "
        "correct the uscc, or deliver the other enterprise's record under its "
        "own source_id"
    )


async def load_batch(
    session: AsyncSession, items: Sequence[Parsed], now: datetime, today: date
) -> None:
    """Upsert the valid rows of ``items``; set each item's ``outcome``."""
    rows = [p.row for p in items if p.row is not None]
    record_rows = [r for r in rows if isinstance(r, RecordRow)]
    list_rows = [r for r in rows if isinstance(r, ListRow)]

    db_entities = await repo.load_entities(session, (r.uscc for r in rows))
    db_records = await repo.load_records(
        session, ((r.source, r.source_id) for r in record_rows)
    )
    db_lists = await repo.load_lists(session, (r.uscc for r in list_rows))

    entities: dict[str, dict[str, Any]] = dict(db_entities)
    records: dict[tuple[str, str], dict[str, Any]] = dict(db_records)
    lists: dict[tuple[str, str, str, date], dict[str, Any]] = dict(db_lists)
    touched: set[str] = set()

    for p in items:
        row = p.row
        if row is None:
            p.outcome = Outcome.QUARANTINED
            continue
        if isinstance(row, EntityRow):
            new = _entity_values(row)
            p.outcome = _judge(entities.get(row.uscc), new, repo.ENTITY_FIELDS)
            entities[row.uscc] = new
            if p.outcome is Outcome.UPDATED:
                touched.add(row.uscc)
            continue
        if row.uscc not in entities:
            p.row, p.reason = None, f"line {p.line_no}: {_missing_entity(row.uscc)}"
            p.outcome = Outcome.QUARANTINED
            continue
        if isinstance(row, RecordRow):
            rkey = (row.source, row.source_id)
            prev = records.get(rkey)
            if prev is not None and prev["uscc"] != row.uscc:
                refuse(p, _moved(row, prev["uscc"]))
                continue
            new = _record_values(row, prev, today)
            p.outcome = _judge(prev, new, repo.RECORD_FIELDS)
            records[rkey] = {**(prev or {}), **new}
        else:
            lkey = (row.uscc, str(row.kind), row.list_name, row.since)
            prev = lists.get(lkey)
            new = _list_values(row)
            p.outcome = _judge(prev, new, repo.LIST_FIELDS)
            lists[lkey] = {**(prev or {}), **new}
        if p.outcome is not Outcome.UNCHANGED:
            touched.add(row.uscc)

    stamp = {"updated_at": now}
    await bulk.upsert(
        session,
        bulk.ENTITIES_SPEC,
        [
            {"uscc": k, **v, **stamp, "created_at": now, "data_version": 1}
            for k, v in entities.items()
            if k not in db_entities
        ],
        [
            {"uscc": k, **v, **stamp}
            for k, v in entities.items()
            if k in db_entities and _changed(db_entities[k], v, repo.ENTITY_FIELDS)
        ],
        now,
    )
    await bulk.upsert(
        session,
        bulk.RECORDS_SPEC,
        [
            {
                "source": k[0],
                "source_id": k[1],
                **v,
                **stamp,
                "created_at": now,
                "fetched_at": None,
            }
            for k, v in records.items()
            if k not in db_records
        ],
        [
            {"source": k[0], "source_id": k[1], **v, **stamp}
            for k, v in records.items()
            if k in db_records and _changed(db_records[k], v, repo.RECORD_FIELDS)
        ],
        now,
    )
    await bulk.upsert(
        session,
        bulk.LISTS_SPEC,
        [
            {
                "uscc": k[0],
                "kind": k[1],
                "list_name": k[2],
                "since": k[3],
                **v,
                **stamp,
                "created_at": now,
            }
            for k, v in lists.items()
            if k not in db_lists
        ],
        [
            {"uscc": k[0], "kind": k[1], "list_name": k[2], "since": k[3], **v, **stamp}
            for k, v in lists.items()
            if k in db_lists and _changed(db_lists[k], v, repo.LIST_FIELDS)
        ],
        now,
    )
    # Entities inserted by this batch have no cached evaluation to invalidate.
    created = entities.keys() - db_entities.keys()
    await bump_data_version(session, touched - created)
    await announce(
        session,
        before_records=db_records,
        records=records,
        before_lists=db_lists,
        lists=lists,
        now=now,
        today=today,
    )
    await _end_lists(session, items, now, today)


async def _end_lists(
    session: AsyncSession, items: Sequence[Parsed], now: datetime, today: date
) -> None:
    """End the list memberships resting on records this batch reports ended:
    a court obligation performed (SPC 2017 Art 10: ``ended_on`` of a listing)
    or a decision revoked at the source."""
    performed: list[tuple[str, str]] = []
    revoked: list[tuple[str, str]] = []
    for p in items:
        row = p.row
        if not isinstance(row, RecordRow) or p.outcome is Outcome.QUARANTINED:
            continue
        if row.court_listing and row.ended_on is not None and row.ended_on <= today:
            performed.append((row.source, row.source_id))
        elif row.status is RecordStatus.REVOKED:
            revoked.append((row.source, row.source_id))
    for keys, reason in (
        (performed, ListEndReason.PERFORMED),
        (revoked, ListEndReason.RECORD_REVOKED),
    ):
        if keys:
            await end_memberships_resting_on(
                session, keys, reason, actor=SYSTEM, at=now
            )


def _changed(prev: dict[str, Any], new: dict[str, Any], fields: Sequence[str]) -> bool:
    return any(prev.get(f) != new[f] for f in fields)


def refuse(p: Parsed, error: RowError | str) -> None:
    """Mark ``p`` quarantined with a line-numbered reason."""
    reason = error.reason if isinstance(error, RowError) else error
    p.row, p.reason = None, f"line {p.line_no}: {reason}"
    p.outcome = Outcome.QUARANTINED
