"""What a loaded batch announces: events in the batch's own transaction.

New negative records, records a source revoked, expired or corrected, and
list memberships coming into force or ending are written to the outbox
(:mod:`hub.events.outbox`) with the rows that carry them, so monitoring banks
and past readers hear of exactly what was committed (contract v2, "Events,
webhooks, notices"; the rule per row is :mod:`hub.events.changes`).  Each key
is judged once per batch, from what the database held before the batch to
what it holds after it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub.events.changes import list_event, list_snapshot, record_event
from hub.events.outbox import EventIn, emit_many
from hub.importer import repository as repo

__all__ = ["announce"]

RecordKey = tuple[str, str]
ListKey = tuple[str, str, str, date]


def _membership(key: ListKey, values: Mapping[str, Any]) -> dict[str, Any]:
    return {
        **values,
        "uscc": key[0],
        "kind": key[1],
        "list_name": key[2],
        "since": key[3],
    }


async def announce(
    session: AsyncSession,
    *,
    before_records: Mapping[RecordKey, Mapping[str, Any]],
    records: Mapping[RecordKey, Mapping[str, Any]],
    before_lists: Mapping[ListKey, Mapping[str, Any]],
    lists: Mapping[ListKey, Mapping[str, Any]],
    now: datetime,
    today: date,
) -> int:
    """Emit the batch's events; how many."""
    record_news = [
        (key, kind)
        for key, values in records.items()
        if (kind := record_event(before_records.get(key), values)) is not None
    ]
    list_news = [
        (key, kind)
        for key, values in lists.items()
        if (
            kind := list_event(
                _membership(key, before_lists[key]) if key in before_lists else None,
                _membership(key, values),
                today,
            )
        )
        is not None
    ]
    if not record_news and not list_news:
        return 0
    fresh = [key for key, _ in record_news if key not in before_records]
    ids = {k: v["id"] for k, v in (await repo.load_records(session, fresh)).items()}
    events: list[EventIn] = []
    for key, kind in record_news:
        values = records[key]
        record_id = before_records[key]["id"] if key in before_records else ids[key]
        events.append(
            EventIn(
                type=kind,
                subject=str(values["uscc"]),
                at=now,
                record_id=int(record_id),
                category=str(values["category"]),
            )
        )
    if list_news:
        stored = await repo.load_lists(session, {lk[0] for lk, _ in list_news})
        for lkey, kind in list_news:
            membership = _membership(lkey, {**lists[lkey], "id": stored[lkey]["id"]})
            events.append(
                EventIn(
                    type=kind,
                    subject=lkey[0],
                    at=now,
                    list=list_snapshot(membership),
                )
            )
    await emit_many(session, events)
    return len(events)
