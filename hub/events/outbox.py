"""The outbox: events written in the transaction of the change they announce.

Whatever changes something others must hear of — a new negative record, a
correction, a repair, a listing, a grade, a consent — calls :func:`emit` in
its own unit of work.  The event commits with the change or not at all; a
dispatcher (:mod:`hub.events.dispatcher`) routes and delivers it after
commit, from any worker, with its state in the database (DESIGN.md "Events
go out through an outbox").  Nothing here needs the hub: a session and the
time are enough, so the importer, connectors, maintenance and services all
emit the same way::

    await emit(session, EventType.NEW_NEGATIVE_RECORD, subject=uscc, at=now,
               record_id=record.id, category=record.category)
    await emit(session, EventType.CONSENT_GRANTED, subject=uscc, at=now,
               consent_id=consent.id, client_id=consent.grantee_id)

Who hears of what is decided when the event is routed
(:mod:`hub.events.routing`): MONITORING holders by ``category``, past
readers for corrections, ``client_id`` for consent events (the grantee) and
request decisions (the requester), and the subject always, as a notice.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Table, event, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from hub.db import upsert_insert
from hub.enums import DataCategory, EventType, ListKind
from hub.events import metrics
from hub.models import OutboxEvent, new_id

__all__ = [
    "EventIn",
    "category_of_list",
    "emit",
    "emit_many",
    "on_commit",
]

log = logging.getLogger("hub.events")

_TABLE: Table = OutboxEvent.__table__  # type: ignore[assignment]
_WRITTEN = "hub.events.written"


@dataclass(frozen=True, slots=True)
class EventIn:
    """One event to write (see :func:`emit` for the fields)."""

    type: EventType
    subject: str
    at: datetime
    record_id: int | None = None
    category: str | None = None
    list: Mapping[str, Any] | None = None
    grade: Mapping[str, Any] | None = None
    consent_id: str | None = None
    consent_request_id: str | None = None
    reference: str | None = None
    client_id: str | None = None
    dedupe_key: str | None = None
    id: str = field(default_factory=new_id)

    def row(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.list is not None:
            data["list"] = _jsonable(self.list)
        if self.grade is not None:
            data["grade"] = dict(self.grade)
        return {
            "id": self.id,
            "type": str(self.type),
            "uscc": self.subject,
            "at": self.at,
            "record_id": None if self.record_id is None else int(self.record_id),
            "category": None if self.category is None else str(self.category),
            "client_id": self.client_id,
            "consent_id": self.consent_id,
            "consent_request_id": self.consent_request_id,
            "reference": self.reference,
            "data": data or None,
            "dedupe_key": self.dedupe_key,
            "routed_at": None,
        }


def _jsonable(values: Mapping[str, Any]) -> dict[str, Any]:
    return {
        k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in values.items()
    }


def category_of_list(kind: str) -> str:
    """The data category a list membership comes with (interfaces.md "Profile
    categories"): RED, BLACK (and WHITE) with BASIC, FOCUS with PENALTY."""
    if kind == ListKind.FOCUS.value:
        return DataCategory.PENALTY.value
    return DataCategory.BASIC.value


async def emit(
    session: AsyncSession,
    type: EventType,
    *,
    subject: str,
    at: datetime,
    record_id: int | None = None,
    category: str | None = None,
    list: Mapping[str, Any] | None = None,
    grade: Mapping[str, Any] | None = None,
    consent_id: str | None = None,
    consent_request_id: str | None = None,
    reference: str | None = None,
    client_id: str | None = None,
    dedupe_key: str | None = None,
) -> str:
    """Write one event in ``session``'s unit of work; return its id.

    - ``subject``: the USCC the event is about (its notice goes there);
    - ``record_id`` and ``category``: the record concerned (record events);
    - ``list``: the membership (``kind``, ``list_name``, ``basis``, ``since``,
      ``until``, ``id``) for LISTED / DELISTED; its category follows its kind;
    - ``grade``: ``{"from", "to", "score"}`` for GRADE_CHANGED (category
      EVALUATION);
    - ``consent_id``, ``consent_request_id``, ``reference``: consent events;
    - ``client_id``: the grantee (CONSENT_*) or the requester
      (CONSENT_REQUEST_DECIDED) — the client the event is for;
    - ``dedupe_key``: writers that may race to announce one fact pass the same
      key; only the first event is kept.
    """
    ev = EventIn(
        type=type,
        subject=subject,
        at=at,
        record_id=record_id,
        category=category,
        list=list,
        grade=grade,
        consent_id=consent_id,
        consent_request_id=consent_request_id,
        reference=reference,
        client_id=client_id,
        dedupe_key=dedupe_key,
    )
    await emit_many(session, [ev])
    return ev.id


async def emit_many(session: AsyncSession, events: Iterable[EventIn]) -> None:
    """Write several events with one statement (the importer's batches)."""
    rows = [_checked(e).row() for e in events]
    if not rows:
        return
    plain = [r for r in rows if r["dedupe_key"] is None]
    keyed = [r for r in rows if r["dedupe_key"] is not None]
    written: list[str] = session.info.setdefault(_WRITTEN, [])
    if plain:
        await session.execute(insert(_TABLE), plain)
        written.extend(r["type"] for r in plain)
    for r in keyed:
        stmt = upsert_insert(session)(_TABLE).values(**r)
        stmt = stmt.on_conflict_do_nothing(index_elements=["dedupe_key"])
        if getattr(await session.execute(stmt), "rowcount", 0):
            written.append(r["type"])


def _checked(e: EventIn) -> EventIn:
    if e.type in _NEEDS_RECORD and (e.record_id is None or e.category is None):
        raise ValueError(f"{e.type} needs record_id and category")
    if e.type in (EventType.LISTED, EventType.DELISTED):
        if e.list is None or "kind" not in e.list:
            raise ValueError(f"{e.type} needs list (with its kind)")
        if e.category is None:
            return _with(e, category=category_of_list(str(e.list["kind"])))
    if e.type is EventType.GRADE_CHANGED:
        if e.grade is None:
            raise ValueError("GRADE_CHANGED needs grade")
        if e.category is None:
            return _with(e, category=DataCategory.EVALUATION.value)
    return e


def _with(e: EventIn, **changes: Any) -> EventIn:
    return replace(e, **changes)


_NEEDS_RECORD = frozenset(
    {
        EventType.NEW_NEGATIVE_RECORD,
        EventType.RECORD_CORRECTED,
        EventType.RECORD_REVOKED,
        EventType.RECORD_REPAIRED,
        EventType.RECORD_EXPIRED,
    }
)


# --- after commit: count, and wake the dispatchers of this process ----------

_wakers: set[Callable[[], None]] = set()
_lock = threading.Lock()


def on_commit(wake: Callable[[], None]) -> Callable[[], None]:
    """Call ``wake`` (thread-safe) after every commit that wrote events in this
    process; returns a function that stops it.  Dispatchers in other processes
    find the events by polling."""
    with _lock:
        _wakers.add(wake)

    def stop() -> None:
        with _lock:
            _wakers.discard(wake)

    return stop


def loop_waker(
    loop: asyncio.AbstractEventLoop, flag: asyncio.Event
) -> Callable[[], None]:
    """A ``wake`` that sets ``flag`` in ``loop`` from whichever thread commits."""

    def wake() -> None:
        if not loop.is_closed():
            loop.call_soon_threadsafe(flag.set)

    return wake


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    written = session.info.pop(_WRITTEN, None)
    if not written:
        return
    for type_ in written:
        metrics.WRITTEN.labels(type_).inc()
    with _lock:
        wakers = list(_wakers)
    for wake in wakers:
        try:
            wake()
        except Exception:  # a stopped dispatcher polls; never fail a commit
            log.debug("event dispatcher wake-up failed", exc_info=True)


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, previous_transaction: object) -> None:
    session.info.pop(_WRITTEN, None)
