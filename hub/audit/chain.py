"""The audit hash chain: events written with their access, sealed right after.

An event is written in the same transaction as the access it records
(:func:`append_event`), so no data is ever returned without its committed
audit row.  Linking committed events onto the hash chain is a separate, short
step (:func:`seal_pending`) run by a background sealer woken by the commits
that wrote events (:class:`Sealer`) and before ``audit verify``: it takes the
chain lock (a PostgreSQL advisory lock, or SQLite's write lock), links every
unsealed event in write order with one UPDATE (from arrays on PostgreSQL),
and commits once.  Readers therefore never queue behind each other's commits
for the chain — only the sealer does, once per batch.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Table,
    Text,
    bindparam,
    cast,
    event,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from hub.audit.canonical import GENESIS, event_hash
from hub.audit.companions import COMPANIONS, Companion
from hub.auth.principal import Principal
from hub.logs import note_audit_event
from hub.metrics import UNSEALED_EVENTS, UNSEALED_SECONDS
from hub.models import AuditEvent, new_id
from hub.outages import OutageLog, outage_of

__all__ = [
    "PENDING_PREFIX",
    "Sealer",
    "append_event",
    "chain_head",
    "events_committed",
    "lock_chain",
    "seal_pending",
]

log = logging.getLogger("hub.audit")

PENDING_PREFIX = "pending:"
PENDING = "hub.audit.pending"
INSERTED = "hub.audit.inserted"
_TABLE: Table = AuditEvent.__table__  # type: ignore[assignment]
# Arbitrary constant naming the chain's advisory lock.
_CHAIN_LOCK = 0x58494E5949  # "XINYI"
# Seconds between two measures of the sealer's backlog (one COUNT query).
LAG_EVERY = 5.0


async def append_event(
    session: AsyncSession,
    *,
    actor: Principal,
    action: str,
    outcome: str,
    at: datetime,
    subject: str | None = None,
    purpose: str | None = None,
    consent_id: str | None = None,
    categories: Iterable[str] = (),
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record one event in the caller's unit of work; it is inserted at COMMIT.

    Written by the same transaction as the access it records, so the two
    commit or fail together.
    """
    event_id = new_id()
    row = AuditEvent(
        id=event_id,
        at=at,
        actor_id=actor.id,
        actor_kind=str(actor.kind),
        action=action,
        subject=subject,
        purpose=str(purpose) if purpose is not None else None,
        consent_id=consent_id,
        categories=sorted(str(c) for c in categories),
        outcome=outcome,
        detail=detail or None,
        prev_hash="",
        hash=PENDING_PREFIX + event_id,
        # The request's officer (X-Hub-Officer) rides on the principal, so
        # every event of the request carries it — reads and changes alike.
        officer=actor.officer,
    )
    session.info.setdefault(PENDING, []).append(row)
    note_audit_event(event_id)  # the request's log lines name it
    return row


_COLUMNS = [c.key for c in AuditEvent.__table__.columns if c.key != "n"]


_JSON_COLUMNS = {c.key for c in _TABLE.columns if isinstance(c.type, JSON)}


def _from_arrays() -> Any:
    """``INSERT INTO audit_events SELECT * FROM unnest(:ids, :ats, …)``: one
    array per column, so the statement is the same for any number of events
    and compiles once (a multi-row VALUES list would compile on every use).
    JSON values travel as text (an array of JSON lists would read as a
    two-dimensional array) and are cast back."""
    columns = [c for c in _TABLE.columns if c.key != "n"]
    arrays = (
        func.unnest(
            *(
                bindparam(
                    f"audit_{c.key}",
                    type_=ARRAY(Text() if c.key in _JSON_COLUMNS else c.type),
                )
                for c in columns
            )
        )
        .table_valued(*(c.key for c in columns))
        .render_derived(name="audit_rows")
    )
    return insert(_TABLE).from_select(
        [c.key for c in columns],
        select(
            *(
                cast(arrays.c[c.key], JSON)
                if c.key in _JSON_COLUMNS
                else arrays.c[c.key]
                for c in columns
            )
        ),
    )


def _arrays(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        f"audit_{k}": [json.dumps(r[k]) if k in _JSON_COLUMNS else r[k] for r in rows]
        for k in _COLUMNS
    }


_AUDIT_WRITE = _from_arrays().cte("audit_write")
# Each companion statement with the audit write folded in, made once.
_FOLDED: dict[Any, Any] = {}


def _folded(stmt: Any) -> Any:
    if stmt not in _FOLDED:
        _FOLDED[stmt] = stmt.add_cte(_AUDIT_WRITE)
    return _FOLDED[stmt]


@event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:
    # One multi-row INSERT per unit of work, whatever the number of events
    # (a batch read of 100 profiles writes 100 events in one statement).
    pending: list[AuditEvent] = session.info.pop(PENDING, None) or []
    companions: list[Companion] = list(
        (session.info.pop(COMPANIONS, None) or {}).values()
    )
    # Kept until the commit succeeds, so a failed commit can still keep the
    # refusals among them (hub.db.rollback).
    session.info[INSERTED] = pending
    rows = [{k: getattr(e, k) for k in _COLUMNS} for e in pending]
    dialect = session.get_bind().dialect.name
    for companion in companions:
        work = companion.statement(dialect)
        if work is None:
            continue
        stmt, params = work
        if dialect == "postgresql" and rows:
            # The audit rows travel in the companion's statement: one round trip.
            stmt, params = _folded(stmt), {**params, **_arrays(rows)}
            rows = []
        companion.settle(session, session.execute(stmt, params).all(), pending)
    if rows:
        session.execute(insert(_TABLE), rows)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.info.pop(INSERTED, None):
        events_committed()


# Sealers of this process, woken when a commit here wrote audit events (an
# in-process signal: no polling while idle, and no NOTIFY, whose commit-time
# queue lock would serialise every read's commit on PostgreSQL).
_SEALERS: set[asyncio.Event] = set()


def events_committed() -> None:
    """Tell this process's sealers that audit events were committed."""
    for wake in list(_SEALERS):
        try:
            wake.set()
        except RuntimeError:  # its event loop is gone: a sealer never stopped
            _SEALERS.discard(wake)


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, previous_transaction: object) -> None:
    session.info.pop(PENDING, None)
    session.info.pop(INSERTED, None)


def digest(event: Any, prev: str) -> str:
    """The hash of ``event`` (an ``AuditEvent`` or a row of its columns)
    linked after ``prev``."""
    return event_hash(
        event_id=event.id,
        prev_hash=prev,
        at=event.at,
        actor_id=event.actor_id,
        actor_kind=event.actor_kind,
        action=event.action,
        subject=event.subject,
        purpose=event.purpose,
        consent_id=event.consent_id,
        categories=list(event.categories or []),
        outcome=event.outcome,
        detail=event.detail,
        officer=event.officer,
    )


async def lock_chain(session: AsyncSession) -> None:
    """Take the chain lock for ``session``'s transaction (until it ends)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK}
        )
    else:
        # A no-op UPDATE takes SQLite's write lock, held until COMMIT.
        await session.execute(
            update(AuditEvent)
            .where(text("1 = 0"))
            .values(seq=AuditEvent.seq)
            .execution_options(synchronize_session=False)
        )


async def chain_head(session: AsyncSession) -> tuple[int, str] | None:
    """``(seq, hash)`` of the newest sealed event, or ``None`` for no chain yet."""
    head = (
        await session.execute(
            select(AuditEvent.seq, AuditEvent.hash)
            .where(AuditEvent.seq.is_not(None))
            .order_by(AuditEvent.seq.desc())
            .limit(1)
        )
    ).first()
    return None if head is None else (int(head[0] or 0), str(head[1]))


_SEAL_EACH = (
    update(_TABLE)
    .where(_TABLE.c.n == bindparam("b_n"))
    .values(
        seq=bindparam("b_seq"),
        prev_hash=bindparam("b_prev"),
        hash=bindparam("b_hash"),
    )
)
_SEALS = (
    func.unnest(
        bindparam("b_ns", type_=ARRAY(BigInteger())),
        bindparam("b_seqs", type_=ARRAY(BigInteger())),
        bindparam("b_prevs", type_=ARRAY(Text())),
        bindparam("b_hashes", type_=ARRAY(Text())),
    )
    .table_valued("n", "seq", "prev", "hash")
    .render_derived(name="seals")
)
_SEAL_FROM_ARRAYS = (
    update(_TABLE)
    .where(_TABLE.c.n == _SEALS.c.n)
    .values(seq=_SEALS.c.seq, prev_hash=_SEALS.c.prev, hash=_SEALS.c.hash)
    .execution_options(synchronize_session=False)
)


async def seal_pending(
    sessionmaker: async_sessionmaker[AsyncSession], batch: int = 5000
) -> int:
    """Link committed, unsealed events onto the chain; return how many."""
    total = 0
    while True:
        async with sessionmaker() as session:
            await lock_chain(session)
            head = await chain_head(session)
            seq, prev = head if head else (0, GENESIS)
            # Plain rows, not ORM instances: the digest reads the columns.
            rows = (
                await session.execute(
                    select(*_TABLE.columns)
                    .where(_TABLE.c.seq.is_(None))
                    .order_by(_TABLE.c.n)
                    .limit(batch)
                )
            ).all()
            if not rows:
                await session.rollback()
                return total
            params = []
            for event in rows:
                seq += 1
                h = digest(event, prev)
                params.append(
                    {"b_n": event.n, "b_seq": seq, "b_prev": prev, "b_hash": h}
                )
                prev = h
            if session.get_bind().dialect.name == "postgresql":
                # One UPDATE from arrays, whatever the number of events.
                await session.execute(
                    _SEAL_FROM_ARRAYS,
                    {
                        "b_ns": [p["b_n"] for p in params],
                        "b_seqs": [p["b_seq"] for p in params],
                        "b_prevs": [p["b_prev"] for p in params],
                        "b_hashes": [p["b_hash"] for p in params],
                    },
                )
            else:
                await session.execute(_SEAL_EACH, params)
            await session.commit()
            total += len(rows)
            if len(rows) < batch:
                return total


async def unsealed(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> tuple[int, datetime | None]:
    """How many committed events wait to be linked, and the oldest one's time."""
    async with sessionmaker() as session:
        count, oldest = (
            await session.execute(
                select(func.count(), func.min(AuditEvent.at)).where(
                    AuditEvent.seq.is_(None)
                )
            )
        ).one()
    return int(count or 0), oldest


class Sealer:
    """Background task sealing new events, woken by this process's commits.

    A commit that wrote audit events wakes it (:func:`events_committed`); it
    seals, then waits at least ``interval`` seconds before the next round so
    a busy server seals in batches (a round costs a few milliseconds of CPU
    whatever it links: once a second, a worker serving hundreds of reads a
    second spends under 1 % of its CPU on it; an event waits at most about a
    second to be linked).  Events committed by other processes are
    sealed by theirs, or by this one within ``idle`` seconds (its round when
    nothing woke it: one short transaction instead of five statements every
    ``interval``).

    Given ``checkpoint`` (a call signing the chain's head, see
    :mod:`hub.audit.checkpoints`), it also makes a checkpoint every
    ``checkpoint_every`` seconds and once more when it stops.  Failures are
    retried on the next round; a database outage is logged once a minute
    (``outages``), anything else with its traceback.
    """

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        interval: float = 1.0,
        *,
        idle: float = 5.0,
        checkpoint: Callable[[], Awaitable[object]] | None = None,
        checkpoint_every: float = 300.0,
        outages: OutageLog | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sessionmaker, self.interval, self.idle = sessionmaker, interval, idle
        self._wake = asyncio.Event()
        self.checkpoint, self.checkpoint_every = checkpoint, checkpoint_every
        self.outages = outages or OutageLog()
        self._now = monotonic
        self._task: asyncio.Task[None] | None = None
        self._gauged = -LAG_EVERY

    def start(self) -> None:
        _SEALERS.add(self._wake)
        self._task = asyncio.create_task(self._run(), name="audit-sealer")

    async def _run(self) -> None:
        last_checkpoint = self._now()
        while True:
            self._wake.clear()
            try:
                if self._now() - self._gauged >= LAG_EVERY:
                    self._gauged = self._now()
                    await self._measure_lag()
                await seal_pending(self.sessionmaker)
                due = self._now() - last_checkpoint >= self.checkpoint_every
                if self.checkpoint is not None and due:
                    last_checkpoint = self._now()
                    await self.checkpoint()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # keep sealing; the next round retries
                backend = outage_of(exc)
                if backend is None:
                    log.exception("sealing audit events failed")
                else:
                    self.outages.report(backend, exc)
            await asyncio.sleep(self.interval)
            try:
                await asyncio.wait_for(self._wake.wait(), self.idle)
            except TimeoutError:
                pass

    async def _measure_lag(self) -> None:
        # Before sealing: what piled up since the last round (a few hundred
        # ms of events when all is well; growing when sealing fails).
        count, oldest = await unsealed(self.sessionmaker)
        UNSEALED_EVENTS.set(count)
        if oldest is None:
            UNSEALED_SECONDS.set(0)
        else:
            if oldest.tzinfo is None:
                oldest = oldest.replace(tzinfo=UTC)
            age = (datetime.now(UTC) - oldest).total_seconds()
            UNSEALED_SECONDS.set(max(0.0, age))

    async def stop(self) -> None:
        _SEALERS.discard(self._wake)
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        await seal_pending(self.sessionmaker)
        if self.checkpoint is not None:
            await self.checkpoint()
