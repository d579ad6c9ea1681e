"""creditProfile and creditProfiles: consented, audited, minimised reads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from graphql import FieldNode, value_from_ast_untyped
from strawberry.dataloader import DataLoader
from strawberry.types import Info
from strawberry.types.nodes import get_variable_values

from hub.access.door import Grant
from hub.enums import DataCategory, Purpose
from hub.errors import HubError
from hub.evaluation.service import evaluation_for
from hub.profiles.service import (
    ProfileData,
    RecordPage,
    RecordRequest,
    list_memberships,
    read_profile_in_one,
    read_profiles,
    record_categories,
    record_pages,
    source_rows,
)
from hub.profiles.visibility import list_kinds_for
from hub.sources.service import pulls_due, refresh, stored_statuses
from schema.common import (
    Connection,
    check_first,
    decode_cursor,
    encode_cursor,
)
from schema.consents import Consent
from schema.context import Context
from schema.entity import Entity
from schema.evaluation import Evaluation
from schema.hot import Decided, HotField
from schema.permissions import CanReadProfiles
from schema.records import CreditRecord, ListMembership, SourceStatus
from schema.scalars import USCC

__all__ = ["COMPILED", "CreditProfile", "ProfileError", "ProfileQuery"]


def _records_loader(ctx: Context) -> DataLoader[RecordRequest, RecordPage]:
    async def load(keys: Sequence[RecordRequest]) -> list[RecordPage]:
        async with ctx.db() as session:
            return await record_pages(session, keys)

    return ctx.loader("records", lambda: DataLoader(load_fn=load))


def _lists_loader(ctx: Context) -> DataLoader[Grant, list[Any]]:
    async def load(grants: Sequence[Grant]) -> list[list[Any]]:
        async with ctx.db() as session:
            return await list_memberships(session, grants, ctx.hub.clock.today())

    return ctx.loader("lists", lambda: DataLoader(load_fn=load))


def _iso_date(value: str) -> str:
    date.fromisoformat(value)  # refuse what the repository could not use
    return value


def _sources_loader(ctx: Context) -> DataLoader[tuple[Grant, tuple[str, ...]], dict]:
    """Stored freshness of a batch's sources in one query (batch reads don't pull)."""

    async def load(keys: Sequence[tuple[Grant, tuple[str, ...]]]) -> list[dict]:
        names = sorted({n for _, ns in keys for n in ns})
        async with ctx.db() as session:
            rows = await source_rows(session, [g for g, _ in keys], names)
        return [
            {n: r for n, r in found.items() if n in ns}
            for found, (_, ns) in zip(rows, keys, strict=True)
        ]

    return ctx.loader("sources", lambda: DataLoader(load_fn=load))


def _record_cursor(r: Any) -> tuple[str, int]:
    """What a record's cursor carries: its decision day (newest first), id."""
    return (r.decided_on or r.occurred_on or date.min).isoformat(), r.id


def records_connection(page: RecordPage, first: int) -> Connection[CreditRecord]:
    """A first or later page of records as ``records`` answers it."""
    rows = page.rows
    return Connection.build(
        rows[:first],
        len(rows) > first,
        page.total,
        node=CreditRecord.from_row,
        cursor=_record_cursor,
    )


class _RowEdge:
    """An edge of a compiled read (:mod:`schema.hot`): the record's row is
    the node (its attributes are ``CreditRecord``'s, the emitter serializes
    them as the executor does), the cursor is made only if it is asked for."""

    __slots__ = ("node",)

    def __init__(self, node: Any) -> None:
        self.node = node

    @property
    def cursor(self) -> str:
        return encode_cursor(*_record_cursor(self.node))


class _RowPage:
    """``records`` of a compiled read: a ``Connection``'s attributes over rows
    (``pageInfo`` is the page itself)."""

    __slots__ = ("edges", "has_next_page", "total_count")

    def __init__(self, rows: Sequence[Any], more: bool, total: int) -> None:
        self.edges = [_RowEdge(r) for r in rows]
        self.has_next_page, self.total_count = more, total

    @property
    def page_info(self) -> _RowPage:
        return self

    @property
    def end_cursor(self) -> str | None:
        return self.edges[-1].cursor if self.edges else None


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
        allowed = record_categories(grant, categories)
        first = check_first(first, 50)
        cursor = decode_cursor(after, 2, (_iso_date, int))
        if not allowed or first == 0:
            return Connection.empty()
        key = RecordRequest(
            grant,
            allowed,
            first,
            (str(cursor[0]), int(cursor[1])) if cursor else None,
            info.context.hub.clock.today(),
        )
        page = await _records_loader(info.context).load(key)
        return records_connection(page, first)

    @strawberry.field
    async def lists(self, info: Info) -> list[ListMembership]:
        if not list_kinds_for(self.data.grant.categories):
            return []
        rows = await _lists_loader(info.context).load(self.data.grant)
        return [ListMembership.from_row(r) for r in rows]

    @strawberry.field(description="Null unless the consent covers EVALUATION.")
    async def evaluation(self, info: Info) -> Evaluation | None:
        grant = self.data.grant
        if DataCategory.EVALUATION not in grant.categories:
            return None
        async with info.context.db() as session:
            result = await evaluation_for(session, info.context.hub, grant)
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
            rows = await _sources_loader(ctx).load((self.data.grant, names))
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


# Fields a single read can serve from one statement (their loaders take the
# grant it makes); asking for anything else (the consent row, a later page)
# takes the general path.
_IN_ONE = frozenset(
    {
        "auditEventId",
        "entity",
        "purpose",
        "generatedAt",
        "records",
        "lists",
        "sources",
        "evaluation",
        "__typename",
    }
)


def _records_asked(info: Info) -> tuple[list[DataCategory] | None, int] | None:
    """The one ``records`` page a single read asks for, if it is a first page.

    Only for an operation of this one field: the statement commits the read's
    audit row and use count on its own, so nothing else in the request may
    roll back what it decided.  Reads the field's AST (``selected_fields``
    would convert the whole selection on every request).
    """
    roots = info.operation.selection_set.selections
    if len(roots) != 1 or not isinstance(roots[0], FieldNode):
        return None
    raw = info._raw_info
    records: FieldNode | None = None
    for node in raw.field_nodes:
        for sel in node.selection_set.selections if node.selection_set else ():
            if (
                not isinstance(sel, FieldNode)
                or sel.directives
                or sel.name.value not in _IN_ONE
            ):
                return None
            if sel.name.value == "records":
                if records is not None:
                    return None
                records = sel
    if records is None:
        return None, 0  # the door and the entity only
    variables = get_variable_values(raw)
    return first_page(
        {
            a.name.value: value_from_ast_untyped(a.value, variables)
            for a in records.arguments or ()
        }
    )


def first_page(args: Mapping[str, Any]) -> tuple[list[DataCategory] | None, int] | None:
    """(categories, first) when ``records`` arguments ask for a first page."""
    if args.get("after") is not None:
        return None
    asked = args.get("categories")
    try:
        first = check_first(args.get("first", 50), 50)
        cats = [DataCategory(c) for c in asked] if asked is not None else None
    except (HubError, ValueError, TypeError):
        return None  # the records field explains it
    if first == 0:
        return None
    return cats, first


async def _read_in_one(info: Info, uscc: str, purpose: Purpose) -> ProfileData | None:
    asked = _records_asked(info)
    if asked is None:
        return None
    ctx = info.context
    read = await read_profile_in_one(ctx.hub, ctx.principal, uscc, purpose, *asked)
    if read is None:
        return None
    data, request, page = read
    _records_loader(ctx).prime(request, page)
    data.primed = request
    return data


async def _compiled_read(
    ctx: Context,
    args: dict[str, Any],
    nested: dict[str, dict[str, Any] | None],
) -> tuple[CreditProfile, dict[str, Any]] | None:
    """``creditProfile`` for a compiled document (:mod:`schema.hot`): the
    same one-statement read and pulls as the resolver; None when the
    resolver must answer (nothing was read)."""
    records = nested["records"]
    asked = (None, 0) if records is None else first_page(records)
    if asked is None:
        return None
    purpose = Purpose(args["purpose"])
    read = await read_profile_in_one(
        ctx.hub, ctx.principal, str(args["uscc"]), purpose, *asked
    )
    if read is None:
        return None
    data, request, page = read
    try:
        if await pulls_due(ctx.hub, data.grant):
            data.sources = await refresh(ctx.hub, data.grant, name=data.entity.name)
            if records is not None and request.categories:
                async with ctx.db() as session:
                    [page] = await record_pages(session, [request])
        values: dict[str, Any] = {}
        if records is not None:
            first = asked[1]
            if request.categories:
                rows, total = page.rows, page.total
            else:
                rows, total = [], 0
            values["records"] = _RowPage(rows[:first], len(rows) > first, total)
        return _profile(data, purpose), values
    except Exception as exc:
        raise Decided(exc) from exc


COMPILED = HotField(
    name="creditProfile",
    scopes=CanReadProfiles.scopes,
    nested=frozenset({"records"}),
    run=_compiled_read,
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
        # One statement when it can decide (PostgreSQL, a usable consent);
        # otherwise the general path decides, explains and audits.
        result: ProfileData | HubError | None = await _read_in_one(
            info, str(uscc), purpose
        )
        if result is None:
            async with ctx.db() as session:
                [result] = await read_profiles(
                    session, ctx.hub, ctx.principal, [str(uscc)], purpose
                )
        if isinstance(result, HubError):
            raise result
        # On-demand pulls from consented sources; a sick source never fails
        # the read (stale-if-error), it shows up in ``sources``.  The agencies
        # are asked with no transaction open: what the read decided (its
        # audit event) commits first, the pull stores in its own.
        if await pulls_due(ctx.hub, result.grant):
            await ctx.release()
            result.sources = await refresh(
                ctx.hub, result.grant, name=result.entity.name
            )
            if result.primed is not None:  # records read before the pull
                _records_loader(ctx).clear(result.primed)
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
