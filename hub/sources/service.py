"""Pulling external sources for a profile read.

``refresh`` runs after the door has granted a profile read (DESIGN.md "One
door for subject data"), and *outside* any database transaction:

* only connectors whose categories meet the Grant's are asked, and only for
  those categories — no pull without consent;
* a pull younger than the connector's ``ttl`` (hub cache) is not repeated;
* concurrent reads of one enterprise share one in-flight pull per process,
  and a short lock key in the cache keeps other workers from pulling too;
* the agencies are asked while no pooled connection is held: a slow or sick
  source cannot keep connections idle in a transaction and drain the pool
  (the profile read's caller ends its transaction first, see
  :func:`pulls_due`);
* what came back is written in one short transaction of its own: every
  pull is authorised and audited through ``open_door`` as
  ``connector.fetch`` with ``{"source", "outcome"}``, in the same
  transaction as the records it stores;
* only once that transaction has committed is the source marked fresh in
  the cache — marked before, a rollback would leave it "fresh" with its
  records lost, and no read would pull it again until the ttl ran out;
* records are upserted by (source, source_id); a change bumps the entity's
  ``data_version`` and is announced through the outbox (new negative
  records, corrections, withdrawals) in the same transaction; fields
  corrected through an objection keep their corrected values (征信业管理条例
  Art 25), and an answer that would move a stored record to another
  enterprise is refused as malformed;
* a failing source never fails the read: its last good data stays, and its
  status says ``stale`` with ``"<reason>: <message>"`` (stale-if-error) —
  not retried for that enterprise for ``ERROR_TTL`` seconds; a malformed
  answer is quarantined whole (``connector:<name>``).
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.errors import ConnectorError, MalformedPayload
from connectors.protocol import Connector, EntityRef, FetchContext
from connectors.records import RecordIn, future_dated
from connectors.registry import ConnectorRegistry
from hub.access.door import Grant, admit, open_door
from hub.clock import calendar_day
from hub.db import session_scope
from hub.entities import bump_data_version
from hub.enums import DataCategory, EventType
from hub.events.changes import record_event
from hub.events.outbox import EventIn, emit_many
from hub.sources import repository as repo
from hub.sources.flight import SingleFlight
from hub.sources.listings import sync_court_listings

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = [
    "ERROR_TTL",
    "PullResult",
    "SourceStatus",
    "pulls_due",
    "refresh",
    "source_statuses",
    "stored_statuses",
]

log = logging.getLogger(__name__)

#: Seconds a failed pull is not retried for the same enterprise (the circuit
#: breaker covers the source as a whole).
ERROR_TTL = 30.0


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """Freshness of one source inside a profile (GraphQL ``SourceStatus``)."""

    source: str
    as_of: datetime | None
    stale: bool
    error: str | None


@dataclass(frozen=True, slots=True)
class PullResult:
    attempted_at: datetime
    records: list[RecordIn] | None = None
    error: ConnectorError | None = None
    #: Another worker is pulling or just did: nothing was asked, nothing to store.
    busy: bool = False


_flights: SingleFlight[PullResult] = SingleFlight()
_names: SingleFlight[str | None] = SingleFlight()


async def _entity_name(hub: Hub, uscc: str) -> str | None:
    """The enterprise's name (None: unknown), one lookup for concurrent reads."""

    async def lookup() -> str | None:
        async with hub.sessionmaker() as session:
            return await repo.entity_name(session, uscc)

    key = (id(hub.sessionmaker), uscc)  # one database's enterprise
    name, leader = await _names.run(key, lookup)
    if leader:
        _names.forget(key)
    return name


def _cats_key(categories: Set[DataCategory]) -> str:
    return ",".join(sorted(str(c) for c in categories))


def _fresh_key(name: str, uscc: str, categories: Set[DataCategory]) -> str:
    return f"connector:{name}:{uscc}:{_cats_key(categories)}"


def _lock_ttl(connector: Connector) -> float:
    timeout = getattr(getattr(connector, "config", None), "timeout", 10.0)
    return float(timeout) + 1.0


async def _pull(
    hub: Hub,
    registry: ConnectorRegistry,
    connector: Connector,
    entity: EntityRef,
    categories: frozenset[DataCategory],
) -> PullResult:
    """Ask the source; the lock key stays until the result is stored and marked."""
    attempted_at = hub.clock.now()
    fresh = _fresh_key(connector.name, entity.uscc, categories)
    lock = "lock:" + fresh
    if not await hub.cache.add(lock, b"1", ttl=_lock_ttl(connector)):
        return PullResult(attempted_at, busy=True)
    if await hub.cache.get(fresh) is not None:
        # Another worker finished a pull since this read checked the cache.
        await hub.cache.delete(lock)
        return PullResult(attempted_at, busy=True)
    try:
        context = FetchContext(http=registry.http, clock=hub.clock)
        records = await connector.fetch(entity, categories, context)
        return PullResult(attempted_at, records=records)
    except ConnectorError as exc:
        return PullResult(attempted_at, error=exc)
    except Exception as exc:
        # A connector bug is that source's failure, never the read's.
        log.exception("connector %s failed unexpectedly", connector.name)
        return PullResult(
            attempted_at,
            error=ConnectorError(
                connector.name, f"internal error ({type(exc).__name__})"
            ),
        )
    except BaseException:
        await hub.cache.delete(lock)
        raise


def _registry(
    hub: Hub, connectors: ConnectorRegistry | None
) -> ConnectorRegistry | None:
    return connectors if connectors is not None else hub.connectors


async def pulls_due(
    hub: Hub, grant: Grant, connectors: ConnectorRegistry | None = None
) -> list[tuple[Connector, frozenset[DataCategory]]]:
    """The consented sources of ``grant.uscc`` not pulled within their ttl.

    Asks the cache only.  A caller holding a transaction ends it before
    :func:`refresh` when anything is due (the profile read commits what it
    decided), so no connection waits on an agency.
    """
    admit(grant)
    registry = _registry(hub, connectors)
    if registry is None:  # a hub built without connectors pulls nothing
        return []
    due: list[tuple[Connector, frozenset[DataCategory]]] = []
    for connector in registry.for_categories(grant.categories):
        categories = frozenset(connector.categories & grant.categories)
        if (
            await hub.cache.get(_fresh_key(connector.name, grant.uscc, categories))
            is None
        ):
            due.append((connector, categories))
    return due


async def refresh(
    hub: Hub,
    grant: Grant,
    connectors: ConnectorRegistry | None = None,
    *,
    name: str | None = None,
) -> list[SourceStatus]:
    """Bring the consented sources of ``grant.uscc`` up to date; return their status.

    Call it outside any transaction (see the module doc): it asks the
    agencies holding no connection, then stores in a short transaction of its
    own and marks freshness after that commits.  ``name`` is the enterprise's
    name when the caller has it.  Never raises because a source is down;
    raises only what the door raises (e.g. the consent was revoked in the
    meantime).
    """
    admit(grant)
    registry = _registry(hub, connectors)
    if registry is None:
        return []
    due = await pulls_due(hub, grant, registry)
    if due and name is None:
        name = await _entity_name(hub, grant.uscc)
    if not due or name is None:
        async with hub.sessionmaker() as session:
            return await source_statuses(
                session, grant.uscc, grant.categories, registry, now=hub.clock.now()
            )
    entity = EntityRef(grant.uscc, name)
    keys = [(id(c), grant.uscc, cats) for c, cats in due]
    # Sources are asked concurrently: a slow one costs its own timeout only.
    pulls = await asyncio.gather(
        *(
            _flights.run(key, functools.partial(_pull, hub, registry, c, entity, cats))
            for key, (c, cats) in zip(keys, due, strict=True)
        )
    )
    marks: list[tuple[str, bytes, float]] = []
    try:
        async with session_scope(hub.sessionmaker) as session:
            # Stored one source after the other in name order: the same lock
            # order in every transaction (no deadlock between reads).
            for (connector, cats), (pull, leader) in sorted(
                zip(due, pulls, strict=True), key=lambda item: item[0][0].name
            ):
                mark = await _store(session, hub, grant, connector, cats, pull, leader)
                if mark is not None:
                    marks.append(mark)
            statuses = await source_statuses(
                session, grant.uscc, grant.categories, registry, now=hub.clock.now()
            )
        # Committed: only now may other reads skip these sources.
        for fresh, value, ttl in marks:
            await hub.cache.set(fresh, value, ttl=ttl)
    finally:
        for flight, (c, cats), (pull, leader) in zip(keys, due, pulls, strict=True):
            if leader:
                _flights.forget(flight)
                if not pull.busy:
                    lock = "lock:" + _fresh_key(c.name, grant.uscc, cats)
                    await hub.cache.delete(lock)
    return statuses


async def _store(
    session: AsyncSession,
    hub: Hub,
    grant: Grant,
    connector: Connector,
    categories: frozenset[DataCategory],
    pull: PullResult,
    leader: bool,
) -> tuple[str, bytes, float] | None:
    """Store one pull; return the freshness mark to set once this commits."""
    if pull.busy:
        return None
    uscc, name = grant.uscc, connector.name
    existing: dict[tuple[str, str], repo.Existing] = {}
    if pull.records is not None:
        existing = await repo.existing_records(session, pull.records)
        problem = (
            _invalid(pull.records)
            or _future(pull.records, calendar_day(hub.clock.now()))
            or _foreign(uscc, pull.records, existing)
        )
        if problem is not None:
            pull = PullResult(
                pull.attempted_at,
                error=MalformedPayload(name, problem, _raw(pull.records)),
            )
    if leader:
        outcome = "OK" if pull.error is None else pull.error.reason
        detail: dict[str, object] = {"source": name, "outcome": outcome}
        if pull.records is not None:
            detail["records"] = len(pull.records)
        else:
            detail["error"] = pull.error.status_text if pull.error else None
        # Re-asked for exactly this pull's categories: no consent, no storage.
        # Part of the read that made ``grant``, which counted the use already.
        await open_door(
            session,
            hub,
            grant.principal,
            uscc=uscc,
            purpose=grant.purpose,
            action="connector.fetch",
            categories=categories,
            require_all=True,
            detail=detail,
            count_use=False,
        )
    now = hub.clock.now()
    if pull.records is None:
        error = pull.error or ConnectorError(name, "no answer")
        await repo.save_status(
            session,
            uscc=uscc,
            source=name,
            attempted_at=pull.attempted_at,
            as_of=None,
            error=error.status_text,
        )
        if leader:
            if isinstance(error, MalformedPayload):
                await repo.quarantine_payload(
                    session,
                    source=name,
                    raw=error.raw,
                    reason=error.status_text,
                    now=now,
                )
            # Stale-if-error for a while: the next reads serve the last good data
            # at once instead of each waiting on the sick source again.
            return (
                _fresh_key(name, uscc, categories),
                json.dumps({"error": error.status_text}).encode(),
                min(connector.ttl, ERROR_TTL),
            )
        return None
    # Record dates are China calendar days (hub.clock).
    today = calendar_day(now)
    written = await repo.upsert_records(session, pull.records, now, existing)
    ended = await repo.end_withdrawn(
        session,
        uscc=uscc,
        source=name,
        categories=categories,
        keep=[r.source_id for r in pull.records],
        today=today,
    )
    listed = await sync_court_listings(
        session,
        pull.records,
        withdrawn=[r.source_id for r in ended],
        source=name,
        now=now,
        today=today,
    )
    if written or ended or listed:
        await bump_data_version(session, [uscc])
        await _announce(session, uscc, name, existing, written, ended, now)
    await repo.save_status(
        session,
        uscc=uscc,
        source=name,
        attempted_at=pull.attempted_at,
        as_of=pull.attempted_at,
        error=None,
    )
    if not leader:
        return None
    return (
        _fresh_key(name, uscc, categories),
        json.dumps({"as_of": pull.attempted_at.isoformat()}).encode(),
        connector.ttl,
    )


async def _announce(
    session: AsyncSession,
    uscc: str,
    source: str,
    existing: Mapping[tuple[str, str], repo.Existing],
    written: list[Any],
    ended: list[Any],
    now: datetime,
) -> None:
    """Write what this pull changed to the outbox, with the change itself:
    new negative records, and records the source corrected, revoked or no
    longer publishes (:mod:`hub.events.changes`)."""
    events = []
    for row in written:
        before = existing.get((source, row.source_id))
        kind = record_event(before.values if before else None, row._mapping)
        if kind is not None:
            events.append(
                EventIn(kind, uscc, now, record_id=row.id, category=row.category)
            )
    events += [
        EventIn(
            EventType.RECORD_EXPIRED, uscc, now, record_id=r.id, category=r.category
        )
        for r in ended
    ]
    await emit_many(session, events)


def _foreign(
    uscc: str,
    records: list[RecordIn],
    existing: dict[tuple[str, str], repo.Existing],
) -> str | None:
    """Why the answer cannot be stored for ``uscc``, or None.

    A record never changes its subject: its objections, repairs and audit
    trail belong to the enterprise it was published about.
    """
    for r in records:
        if r.uscc != uscc:
            return f"record {r.source_id!r} is about {r.uscc}, not {uscc}"
        stored = existing.get((r.source, r.source_id))
        if stored is not None and stored.uscc != uscc:
            return (
                f"record {r.source_id!r} is stored for {stored.uscc}; a record "
                f"never moves to another enterprise ({uscc})"
            )
    return None


def _invalid(records: list[RecordIn]) -> str | None:
    """Why a record is not one the importer would load, or None.

    A connector builds its records with ``make_record``, which runs the
    importer's checks (publication windows both ways, court listing terms,
    tax grades); they are run again here, where records are stored, so no
    connector can bring in what an import file could not.
    """
    for r in records:
        try:
            RecordIn.model_validate(r.model_dump())
        except ValidationError as exc:
            reasons = "; ".join(
                str(e["msg"]).removeprefix("Value error, ")
                for e in exc.errors(include_url=False)
            )
            return f"record {r.source_id!r}: {reasons}"
    return None


def _future(records: list[RecordIn], today: date) -> str | None:
    """A record decided after today makes the whole answer wrong (as the
    importer refuses such a row)."""
    for r in records:
        reason = future_dated(r, today)
        if reason is not None:
            return f"record {r.source_id!r}: {reason}"
    return None


def _raw(records: list[RecordIn]) -> str:
    """The mapped records, for the quarantine (the answer itself is not kept)."""
    dumped = [r.model_dump(mode="json") for r in records]
    return json.dumps(dumped, ensure_ascii=False)[:65_536]


async def source_statuses(
    session: AsyncSession,
    uscc: str,
    categories: Iterable[DataCategory],
    connectors: ConnectorRegistry,
    *,
    now: datetime | None = None,
) -> list[SourceStatus]:
    """Status of the enabled sources of consented ``categories``, by name.

    ``stale``: never pulled, last attempt failed, or (given ``now``) older
    than the connector's ``ttl``.
    """
    wanted = frozenset(categories)
    sources = sorted(connectors.for_categories(wanted), key=lambda c: c.name)
    rows = await repo.load_statuses(session, uscc, [c.name for c in sources])
    return stored_statuses(rows, sources, now)


def stored_statuses(
    rows: Mapping[str, Any], sources: Iterable[Any], now: datetime | None
) -> list[SourceStatus]:
    """SourceStatus of each connector in ``sources`` from its stored row."""
    out = []
    for c in sources:
        row = rows.get(c.name)
        as_of = row.as_of if row else None
        error = row.error if row else None
        old = (
            as_of is not None
            and now is not None
            and ((now - as_of).total_seconds() > c.ttl)
        )
        out.append(
            SourceStatus(
                c.name, as_of, as_of is None or error is not None or old, error
            )
        )
    return out
