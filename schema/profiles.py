"""creditProfile and creditProfiles: consented, audited, minimised reads."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from hub.enums import DataCategory, Purpose
from hub.errors import HubError
from hub.evaluation.service import evaluation_for
from hub.profiles import repository as repo
from hub.profiles.service import ProfileData, read_profiles
from hub.profiles.visibility import list_kinds_for
from hub.sources.service import refresh, stored_statuses
from schema.common import (
    Connection,
    check_first,
    decode_cursor,
)
from schema.consents import Consent
from schema.context import Context
from schema.entity import Entity
from schema.evaluation import Evaluation
from schema.permissions import CanReadProfiles
from schema.records import CreditRecord, ListMembership, SourceStatus
from schema.scalars import USCC

__all__ = ["CreditProfile", "ProfileError", "ProfileQuery"]

# (uscc, categories, first, after, for_subject, today)
RecordKey = tuple[str, tuple[str, ...], int, tuple[str, int] | None, bool, date]


def _records_loader(ctx: Context) -> DataLoader[RecordKey, tuple[list[Any], int]]:
    async def load(keys: Sequence[RecordKey]) -> list[tuple[list[Any], int]]:
        groups: dict[tuple[Any, ...], list[str]] = defaultdict(list)
        for uscc, cats, first, after, subj, today in keys:
            groups[(cats, first, after, subj, today)].append(uscc)
        found: dict[tuple[Any, ...], tuple[dict[str, list[Any]], dict[str, int]]] = {}
        async with ctx.db() as session:
            for (cats, first, after, subj, today), usccs in groups.items():
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
                found[(cats, first, after, subj, today)] = (pages, totals)
        return [
            (found[k[1:]][0].get(k[0], []), found[k[1:]][1].get(k[0], 0)) for k in keys
        ]

    return ctx.loader("records", lambda: DataLoader(load_fn=load))


def _lists_loader(ctx: Context) -> DataLoader[tuple[str, tuple[str, ...], date], list]:
    async def load(keys: Sequence[tuple[str, tuple[str, ...], date]]) -> list[list]:
        by_kinds: dict[tuple[tuple[str, ...], date], list[str]] = defaultdict(list)
        for uscc, kinds, today in keys:
            by_kinds[(kinds, today)].append(uscc)
        found: dict[tuple[tuple[str, ...], date], dict] = {}
        async with ctx.db() as session:
            for (kinds, today), usccs in by_kinds.items():
                found[(kinds, today)] = await repo.list_memberships(
                    session, usccs, kinds, today
                )
        return [found[(k, t)].get(u, []) for u, k, t in keys]

    return ctx.loader("lists", lambda: DataLoader(load_fn=load))


def _iso_date(value: str) -> str:
    date.fromisoformat(value)  # refuse what the repository could not use
    return value


def _sources_loader(ctx: Context) -> DataLoader[tuple[str, tuple[str, ...]], dict]:
    """Stored freshness of a batch's sources in one query (batch reads don't pull)."""

    async def load(keys: Sequence[tuple[str, tuple[str, ...]]]) -> list[dict]:
        names = sorted({n for _, ns in keys for n in ns})
        async with ctx.db() as session:
            found = await repo.sources(session, sorted({u for u, _ in keys}), names)
        return [{r.source: r for r in found.get(u, [])} for u, _ in keys]

    return ctx.loader("sources", lambda: DataLoader(load_fn=load))


@strawberry.type(
    description="A profile as one grantee may see it for one purpose under one consent."
)
class CreditProfile:
    entity: Entity
    purpose: Purpose
    generated_at: datetime
    audit_event_id: strawberry.ID = strawberry.field(
        description="The audit event written (durably, before this response) for "
        "this read."
    )
    data: strawberry.Private[ProfileData]

    @strawberry.field(
        description="The consent that authorised this read; null when the subject "
        "reads its own profile."
    )
    def consent(self, info: Info) -> Consent | None:
        row = self.data.grant.consent
        return Consent.from_row(row, info.context.hub.clock.now()) if row else None

    @strawberry.field(
        description="Only categories the consent covers; filtering by other "
        "categories returns nothing."
    )
    async def records(
        self,
        info: Info,
        categories: list[DataCategory] | None = None,
        first: int | None = 50,
        after: str | None = None,
    ) -> Connection[CreditRecord]:
        grant = self.data.grant
        allowed = {str(c) for c in grant.categories} & set(repo.RECORD_CATEGORIES)
        if categories is not None:
            allowed &= {str(c) for c in categories}
        first = check_first(first, 50)
        cursor = decode_cursor(after, 2, (_iso_date, int))
        if not allowed or first == 0:
            return Connection.empty()
        key: RecordKey = (
            grant.uscc,
            tuple(sorted(allowed)),
            first,
            (str(cursor[0]), int(cursor[1])) if cursor else None,
            grant.for_subject,
            info.context.hub.clock.today(),
        )
        rows, total = await _records_loader(info.context).load(key)
        return Connection.build(
            rows[:first],
            len(rows) > first,
            total,
            node=CreditRecord.from_row,
            cursor=lambda r: (
                (r.decided_on or r.occurred_on or date.min).isoformat(),
                r.id,
            ),
        )

    @strawberry.field
    async def lists(self, info: Info) -> list[ListMembership]:
        kinds = tuple(list_kinds_for(self.data.grant.categories))
        if not kinds:
            return []
        rows = await _lists_loader(info.context).load(
            (self.data.grant.uscc, kinds, info.context.hub.clock.today())
        )
        return [ListMembership.from_row(r) for r in rows]

    @strawberry.field(description="Null unless the consent covers EVALUATION.")
    async def evaluation(self, info: Info) -> Evaluation | None:
        grant = self.data.grant
        if DataCategory.EVALUATION not in grant.categories:
            return None
        async with info.context.db() as session:
            result = await evaluation_for(session, info.context.hub, grant.uscc)
        return Evaluation.from_result(result)

    @strawberry.field(description="Freshness of each consented external source.")
    async def sources(self, info: Info) -> list[SourceStatus]:
        ctx = info.context
        statuses = self.data.sources
        if statuses is None:
            if not ctx.hub.connectors:
                return []
            names = tuple(
                sorted(
                    c.name
                    for c in ctx.hub.connectors.for_categories(
                        self.data.grant.categories
                    )
                )
            )
            if not names:
                return []
            rows = await _sources_loader(ctx).load((self.data.grant.uscc, names))
            statuses = stored_statuses(
                rows, [ctx.hub.connectors[n] for n in names], ctx.hub.clock.now()
            )
        return [
            SourceStatus(source=s.source, as_of=s.as_of, stale=s.stale, error=s.error)
            for s in statuses
        ]


@strawberry.type
class ProfileError:
    uscc: str
    code: str
    message: str


CreditProfileResult = Annotated[
    CreditProfile | ProfileError, strawberry.union("CreditProfileResult")
]


def _profile(data: ProfileData, purpose: Purpose) -> CreditProfile:
    return CreditProfile(
        entity=Entity.from_row(data.entity),
        purpose=purpose,
        generated_at=data.generated_at,
        audit_event_id=strawberry.ID(data.grant.audit_event_id),
        data=data,
    )


@strawberry.type
class ProfileQuery:
    @strawberry.field(
        description="Requires an ACTIVE consent from the subject to the caller for "
        "this purpose.",
        permission_classes=[CanReadProfiles],
    )
    async def credit_profile(
        self, info: Info, uscc: USCC, purpose: Purpose
    ) -> CreditProfile:
        ctx = info.context
        async with ctx.db() as session:
            [result] = await read_profiles(
                session, ctx.hub, ctx.principal, [str(uscc)], purpose
            )
            if isinstance(result, HubError):
                raise result
            # On-demand pulls from consented sources; a sick source never fails
            # the read (stale-if-error), it shows up in ``sources``.
            result.sources = await refresh(session, ctx.hub, result.grant)
        return _profile(result, purpose)

    @strawberry.field(
        description="At most 100 codes; one result per code, in order, errors per "
        "item.",
        permission_classes=[CanReadProfiles],
    )
    async def credit_profiles(
        self, info: Info, usccs: list[USCC], purpose: Purpose
    ) -> list[CreditProfileResult]:
        ctx = info.context
        codes = [str(u) for u in usccs]
        async with ctx.db() as session:
            results = await read_profiles(
                session, ctx.hub, ctx.principal, codes, purpose
            )
        return [
            ProfileError(uscc=u, code=str(r.code), message=r.message)
            if isinstance(r, HubError)
            else _profile(r, purpose)
            for u, r in zip(codes, results, strict=True)
        ]
