"""Reading credit profiles through the door, one entity or a batch of 100.

:func:`read_profiles` decides the grants; the loaders below fetch only what a
grant covers (minimise at the query: a category the consent does not cover is
never loaded) and refuse to run without door-made grants.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub.access.door import (
    Grant,
    admit,
    entities_and_consents,
    may_read_in_one,
    open_doors,
    read_in_one,
)
from hub.auth.principal import Principal
from hub.db import driver_connection
from hub.enums import DataCategory, Purpose
from hub.errors import ErrorCode, HubError
from hub.models import Entity, ListMembership, SourceStatusRow
from hub.profiles import repository as repo
from hub.profiles.visibility import SHARED_STATUSES, list_kinds_for

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = [
    "MAX_BATCH",
    "ProfileData",
    "RecordPage",
    "RecordRequest",
    "Registration",
    "list_memberships",
    "read_profile_in_one",
    "read_profiles",
    "record_categories",
    "record_pages",
    "source_rows",
]

MAX_BATCH = 100


@dataclass(frozen=True, slots=True)
class Registration:
    """An entity's registration as a one-statement read returns it (the
    ``entities`` row's fields, without an ORM instance)."""

    uscc: str
    name: str
    kind: str
    region_code: str
    industry_code: str | None
    established_on: date | None
    registered_capital: float | None
    legal_representative: str | None
    status: str


@dataclass
class ProfileData:
    entity: Entity | Registration
    grant: Grant
    generated_at: datetime
    # Source freshness after an on-demand pull (single reads); batch reads
    # report the stored freshness instead of pulling 100 entities at once.
    sources: list[Any] | None = None
    # The page of records read with the grant in one statement, if any.
    primed: RecordRequest | None = None


async def read_profiles(
    session: AsyncSession,
    hub: Hub,
    principal: Principal,
    usccs: Sequence[str],
    purpose: Purpose | None,
) -> list[ProfileData | HubError]:
    """One answer per code, in order; a constant number of statements per batch.

    ``purpose`` is None only for the enterprise reading itself (the portal):
    its own access needs no purpose, and its log then names none.

    Only the grant is decided here; records, lists, sources and the evaluation
    are loaded by the fields that ask for them, restricted to the grant's
    categories (non-consented categories are never loaded).
    """
    if len(usccs) > MAX_BATCH:
        raise HubError(
            f"At most {MAX_BATCH} codes per batch, got {len(usccs)}.",
            ErrorCode.VALIDATION_ERROR,
        )
    found, consents = await entities_and_consents(
        session, hub, principal, usccs, purpose
    )
    known = [u for u in dict.fromkeys(usccs) if u in found]
    grants = (
        await open_doors(
            session,
            hub,
            principal,
            usccs=known,
            purpose=purpose,
            action="profile.read",
            consents=consents,
        )
        if known
        else {}
    )
    now = hub.clock.now()
    out: list[ProfileData | HubError] = []
    for uscc in usccs:
        if uscc not in found:
            out.append(
                HubError(f"No entity {uscc} is registered.", ErrorCode.NOT_FOUND)
            )
            continue
        grant = grants[uscc]
        out.append(
            grant
            if isinstance(grant, HubError)
            else ProfileData(found[uscc], grant, now)
        )
    return out


async def read_profile_in_one(
    hub: Hub,
    principal: Principal,
    uscc: str,
    purpose: Purpose,
    categories: Iterable[DataCategory] | None,
    first: int,
) -> tuple[ProfileData, RecordRequest, RecordPage] | None:
    """A client's profile read with its first page of records in one
    statement (PostgreSQL): the door's grant, its audit row and use count
    commit with it (``hub.access.door.read_in_one``).

    ``None`` when the general path (:func:`read_profiles`) must answer: on
    SQLite, for a refusal (no entity, no usable consent) — which that path
    explains and audits — and for accesses a consent does not decide.
    """
    if not may_read_in_one(hub, principal, uscc, purpose):
        return None
    asked = sorted(
        set(repo.RECORD_CATEGORIES)
        & (
            {str(c) for c in categories}
            if categories is not None
            else set(repo.RECORD_CATEGORIES)
        )
    )
    today = hub.clock.today()
    async with driver_connection(hub.engine) as conn:
        read = await read_in_one(
            conn,
            hub,
            principal,
            uscc=uscc,
            purpose=purpose,
            action="profile.read",
            read_sql=repo.RECORDS_IN_ONE,
            read_args=(asked, list(SHARED_STATUSES), today, first + 1 if first else 0),
        )
    if read is None:
        return None
    grant, row, rows = read
    entity = Registration(
        uscc=row["uscc"],
        name=row["name"],
        kind=row["kind"],
        region_code=row["region_code"],
        industry_code=row["industry_code"],
        established_on=row["established_on"],
        registered_capital=row["registered_capital"],
        legal_representative=row["legal_representative"],
        status=row["status"],
    )
    page, total = repo.records_in_one(rows)
    request = RecordRequest(
        grant, record_categories(grant, categories), first, None, today
    )
    return ProfileData(entity, grant, hub.clock.now()), request, RecordPage(page, total)


def record_categories(
    grant: Grant, requested: Iterable[DataCategory] | None = None
) -> tuple[str, ...]:
    """Record categories a read may load: those the grant covers (and the
    caller asked for).  Evaluation is not a record category."""
    allowed = {str(c) for c in grant.categories} & set(repo.RECORD_CATEGORIES)
    if requested is not None:
        allowed &= {str(c) for c in requested}
    return tuple(sorted(allowed))


@dataclass(frozen=True)
class RecordRequest:
    """One page of one grant's records (a DataLoader key)."""

    grant: Grant
    categories: tuple[str, ...]
    first: int
    after: tuple[str, int] | None
    today: date


@dataclass(frozen=True)
class RecordPage:
    rows: list[Any]  # up to first + 1 rows: one more tells that more follow
    total: int


async def record_pages(
    session: AsyncSession, requests: Sequence[RecordRequest]
) -> list[RecordPage]:
    """Pages of records for many grants: one statement per page shape."""
    admit(*(r.grant for r in requests))
    groups: dict[tuple[Any, ...], list[RecordRequest]] = defaultdict(list)
    for r in requests:
        shape = (r.categories, r.first, r.after, r.grant.for_subject, r.today)
        groups[shape].append(r)
    found: dict[int, RecordPage] = {}
    for (cats, first, after, subj, today), members in groups.items():
        usccs = [m.grant.uscc for m in members]
        pages, totals = await repo.record_pages(
            session,
            usccs,
            cats,
            today=today,
            for_subject=subj,
            limit=first + 1,
            after=after,
        )
        if after is not None and len(totals) < len(usccs):
            # A page past the end has no row to carry the total.
            totals = await repo.record_counts(
                session, usccs, cats, today=today, for_subject=subj
            )
        for m in members:
            found[id(m)] = RecordPage(
                pages.get(m.grant.uscc, []), totals.get(m.grant.uscc, 0)
            )
    return [found[id(r)] for r in requests]


async def list_memberships(
    session: AsyncSession, grants: Sequence[Grant], today: date
) -> list[list[ListMembership]]:
    """List memberships in force that each grant covers (RED/BLACK with
    BASIC, FOCUS with PENALTY), per grant."""
    admit(*grants)
    by_kinds: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for g in grants:
        by_kinds[tuple(list_kinds_for(g.categories))].append(g.uscc)
    found: dict[tuple[str, ...], dict[str, list[ListMembership]]] = {}
    for kinds, usccs in by_kinds.items():
        found[kinds] = await repo.list_memberships(session, usccs, kinds, today)
    return [found[tuple(list_kinds_for(g.categories))].get(g.uscc, []) for g in grants]


async def source_rows(
    session: AsyncSession, grants: Sequence[Grant], names: Sequence[str]
) -> list[dict[str, SourceStatusRow]]:
    """Stored freshness of the named sources, per grant (one statement)."""
    admit(*grants)
    found = await repo.sources(session, sorted({g.uscc for g in grants}), names)
    return [{r.source: r for r in found.get(g.uscc, [])} for g in grants]
