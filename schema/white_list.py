"""The lending white list (信易贷白名单): applications, decisions, entries.

An entry shows only what the enterprise chose to share when it applied
(registration data; the grade only with EVALUATION).  A bank that finds an
entry asks the enterprise for a consent with ``entity.uscc`` as the subject.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import strawberry
from strawberry.types import Info

import schema.enums  # noqa: F401  (registers the domain enums)
from hub.enums import DataCategory, Grade, WhiteListStatus
from hub.white_list import service
from schema.common import Connection, check_first, decode_cursor
from schema.entity import Entity
from schema.permissions import (
    BankOrAdmin,
    HasScope,
    IsAdmin,
    IsSubject,
    SubjectOrAdmin,
)
from schema.scalars import USCC

if TYPE_CHECKING:
    from hub.models import WhiteListApplication as ApplicationRow

__all__ = [
    "WhiteListApplication",
    "WhiteListEntry",
    "WhiteListMutation",
    "WhiteListQuery",
]


class CanReadWhiteList(HasScope):
    scopes = frozenset({"profile:read", "admin"})


@strawberry.type(
    description="An enterprise applies to a lending white list; what it chooses "
    "to share with the banks is fixed at application."
)
class WhiteListApplication:
    id: strawberry.ID
    uscc: USCC
    list_name: str
    shared: list[DataCategory] = strawberry.field(
        description="Shown to banks with the entry: BASIC is always shown; "
        "EVALUATION adds the grade."
    )
    status: WhiteListStatus
    applied_at: datetime
    decided_at: datetime | None
    note: str | None = strawberry.field(
        description="The decision's note once decided, else the application's."
    )
    application_note: str | None
    decision_note: str | None

    @classmethod
    def from_row(cls, r: ApplicationRow) -> WhiteListApplication:
        return cls(
            id=strawberry.ID(r.id),
            uscc=USCC(r.uscc),
            list_name=r.list_name,
            shared=[DataCategory(c) for c in r.shared],
            status=WhiteListStatus(r.status),
            applied_at=r.applied_at,
            decided_at=r.decided_at,
            note=r.decision_note or r.note,
            application_note=r.note,
            decision_note=r.decision_note,
        )


@strawberry.type
class WhiteListEntry:
    entity: Entity = strawberry.field(
        description="Registration data; entity.uscc is the subject of a consent "
        "request to this enterprise."
    )
    list_name: str
    since: date
    grade: Grade | None = strawberry.field(
        description="Present only when the enterprise chose to share EVALUATION."
    )

    @classmethod
    def of(cls, e: service.WhiteListEntry) -> WhiteListEntry:
        entity = Entity.from_row(e.entity)
        return cls(entity=entity, list_name=e.list_name, since=e.since, grade=e.grade)


@strawberry.type
class WhiteListQuery:
    @strawberry.field(
        description="The enterprise's own applications; every one for an admin. "
        "after: the id of the last application seen.",
        permission_classes=[SubjectOrAdmin],
    )
    async def white_list_applications(
        self,
        info: Info,
        status: WhiteListStatus | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> list[WhiteListApplication]:
        ctx = info.context
        async with ctx.db() as session:
            rows = await service.applications(
                session,
                ctx.principal,
                status=status,
                first=check_first(first),
                after_id=after,
            )
        return [WhiteListApplication.from_row(r) for r in rows]

    @strawberry.field(
        description="Banks (profile:read) and admins: approved entries, with what "
        "each enterprise chose to share. Each entry shown is a whitelist.read "
        "event in that enterprise's access log.",
        permission_classes=[BankOrAdmin, CanReadWhiteList],
    )
    async def white_list(
        self,
        info: Info,
        list_name: str | None = None,
        region_code: str | None = None,
        industry_code: str | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[WhiteListEntry]:
        ctx = info.context
        n = check_first(first)
        cursor = decode_cursor(after, 2, (datetime.fromisoformat, str))
        async with ctx.db() as session:
            rows, more, total = await service.entries(
                session,
                ctx.hub,
                ctx.principal,
                list_name=list_name,
                region_code=region_code,
                industry_code=industry_code,
                first=n,
                after=(cursor[0], cursor[1]) if cursor else None,
            )
        return Connection.build(
            rows,
            more,
            total,
            node=WhiteListEntry.of,
            cursor=lambda e: (e.decided_at.isoformat(), e.application_id),
        )


@strawberry.type
class WhiteListMutation:
    @strawberry.mutation(
        description="Apply to a white list, choosing what banks may see: BASIC "
        "always, EVALUATION to add the grade.",
        permission_classes=[IsSubject],
    )
    async def apply_white_list(
        self,
        info: Info,
        list_name: str,
        shared: list[DataCategory],
        note: str | None = None,
    ) -> WhiteListApplication:
        ctx = info.context
        async with ctx.db() as session:
            row = await service.apply(
                session,
                ctx.hub,
                ctx.principal,
                list_name=list_name,
                shared=shared,
                note=note,
            )
        return WhiteListApplication.from_row(row)

    @strawberry.mutation(
        description="Approve (a WHITE list membership from today) or reject. A "
        "BLACK-listed enterprise cannot be approved (CONFLICT).",
        permission_classes=[IsAdmin],
    )
    async def decide_white_list(
        self, info: Info, id: strawberry.ID, approve: bool, note: str
    ) -> WhiteListApplication:
        ctx = info.context
        async with ctx.db() as session:
            row = await service.decide(
                session,
                ctx.hub,
                ctx.principal,
                app_id=str(id),
                approve=approve,
                note=note,
            )
        return WhiteListApplication.from_row(row)

    @strawberry.mutation(
        description="Withdraw an application; an approved entry ends today.",
        permission_classes=[SubjectOrAdmin],
    )
    async def withdraw_white_list(
        self, info: Info, id: strawberry.ID
    ) -> WhiteListApplication:
        ctx = info.context
        async with ctx.db() as session:
            row = await service.withdraw(
                session, ctx.hub, ctx.principal, app_id=str(id)
            )
        return WhiteListApplication.from_row(row)
