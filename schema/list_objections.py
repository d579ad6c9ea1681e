"""Objections to list memberships: the queue, filing and answering them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import strawberry
from strawberry.types import Info

import schema.enums  # noqa: F401  (contract enums registered first)
from hub.enums import ListObjectionStatus
from hub.rights import list_objections
from hub.rights.objections import is_overdue
from schema.common import Connection, check_first
from schema.permissions import IsAdmin
from schema.queues import SubjectOrAdmin, instant_cursor, page_connection
from schema.records import ListMembership

if TYPE_CHECKING:
    from hub.rights.list_objections import ListCase

__all__ = ["ListObjection", "ListObjectionMutation", "ListObjectionQuery"]


@strawberry.type
class ListObjection:
    id: strawberry.ID
    membership: ListMembership
    status: ListObjectionStatus
    reason: str
    filed_at: datetime
    due_by: datetime = strawberry.field(
        description="Reply deadline: 24:00 Asia/Shanghai of the 20th day after "
        "filing, moved past statutory rest days (民法典 Art 201/203)."
    )
    resolved_at: datetime | None
    note: str | None
    overdue: bool = strawberry.field(
        description="Open past its deadline, or answered after it."
    )

    @classmethod
    def from_case(cls, case: ListCase, now: datetime) -> ListObjection:
        o = case.row
        return cls(
            id=strawberry.ID(o.id),
            membership=ListMembership.from_row(case.membership),
            status=ListObjectionStatus(o.status),
            reason=o.reason,
            filed_at=o.filed_at,
            due_by=o.due_by,
            resolved_at=o.resolved_at,
            note=o.note,
            overdue=is_overdue(o, now),
        )


@strawberry.type
class ListObjectionQuery:
    @strawberry.field(
        description="Objections to list memberships, oldest reply deadline first. "
        "Subjects see their own; admins all.",
        permission_classes=[SubjectOrAdmin],
    )
    async def list_objections(
        self,
        info: Info,
        status: ListObjectionStatus | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[ListObjection]:
        ctx = info.context
        n = check_first(first)
        cursor = instant_cursor(after)
        async with ctx.db() as session:
            page = await list_objections.list_list_objections(
                session, ctx.hub, ctx.principal, status=status, first=n, after=cursor
            )
        now = ctx.hub.clock.now()
        return page_connection(
            page,
            node=lambda c: ListObjection.from_case(c, now),
            cursor=lambda c: (c.row.due_by.isoformat(), c.row.id),
        )


@strawberry.type
class ListObjectionMutation:
    @strawberry.mutation(
        description="Object to one of your list memberships: it shows DISPUTED at "
        "once but keeps its effect until answered. After an answered objection a "
        "new one needs a new reason. Admins may file on the subject's behalf.",
        permission_classes=[SubjectOrAdmin],
    )
    async def file_list_objection(
        self, info: Info, membership_id: strawberry.ID, reason: str
    ) -> ListObjection:
        ctx = info.context
        async with ctx.db() as session:
            row = await list_objections.file_list_objection(
                session,
                ctx.hub,
                ctx.principal,
                membership_id=str(membership_id),
                reason=reason,
            )
            case = await list_objections.show_list_objection(
                session, ctx.hub, ctx.principal, row
            )
        return ListObjection.from_case(case, ctx.hub.clock.now())

    @strawberry.mutation(
        description="UPHELD (the listing stands) or REMOVED (it ends at once, a "
        "DELISTED change). The note is shown to the subject.",
        permission_classes=[IsAdmin],
    )
    async def resolve_list_objection(
        self,
        info: Info,
        id: strawberry.ID,
        resolution: ListObjectionStatus,
        note: str,
    ) -> ListObjection:
        ctx = info.context
        async with ctx.db() as session:
            row = await list_objections.resolve_list_objection(
                session,
                ctx.hub,
                ctx.principal,
                objection_id=str(id),
                resolution=resolution,
                note=note,
            )
            case = await list_objections.show_list_objection(
                session, ctx.hub, ctx.principal, row
            )
        return ListObjection.from_case(case, ctx.hub.clock.now())
