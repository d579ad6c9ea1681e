"""Objections (异议) to credit records: the queue, filing and answering them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import strawberry
from strawberry.types import Info

import schema.enums  # noqa: F401  (contract enums registered first)
from hub.enums import ObjectionResolution, ObjectionStatus
from hub.rights import objections
from hub.rights.queues import Case
from schema.common import Connection, check_first
from schema.permissions import IsAdmin
from schema.queues import SubjectOrAdmin, instant_cursor, page_connection
from schema.records import CreditRecord
from schema.scalars import JSON

if TYPE_CHECKING:
    from hub.models import Objection as ObjectionRow

__all__ = ["FileObjectionInput", "Objection", "ObjectionMutation", "ObjectionQuery"]


@strawberry.type
class Objection:
    id: strawberry.ID
    record: CreditRecord
    status: ObjectionStatus
    reason: str
    filed_at: datetime
    due_by: datetime = strawberry.field(
        description="Statutory reply deadline: 24:00 Asia/Shanghai of the 20th day "
        "after filing, moved past statutory rest days (民法典 Art 201/203)."
    )
    resolved_at: datetime | None
    note: str | None
    overdue: bool = strawberry.field(
        description="Open past its 20-day deadline, or answered after it "
        "(征信业管理条例 Art 25)."
    )
    corrections: JSON | None = strawberry.field(
        description="For CORRECTED: the corrected values."
    )

    @classmethod
    def from_case(cls, case: Case[ObjectionRow], now: datetime) -> Objection:
        o = case.row
        return cls(
            id=strawberry.ID(o.id),
            record=CreditRecord.from_row(case.record),
            status=ObjectionStatus(o.status),
            reason=o.reason,
            filed_at=o.filed_at,
            due_by=o.due_by,
            resolved_at=o.resolved_at,
            note=o.note,
            overdue=objections.is_overdue(o, now),
            corrections=o.corrections,  # type: ignore[arg-type]
        )


@strawberry.input
class FileObjectionInput:
    record_id: strawberry.ID
    reason: str


@strawberry.type
class ObjectionQuery:
    @strawberry.field(
        description="Objections, oldest reply deadline first. Subjects see their "
        "own; admins all.",
        permission_classes=[SubjectOrAdmin],
    )
    async def objections(
        self,
        info: Info,
        status: ObjectionStatus | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[Objection]:
        ctx = info.context
        n = check_first(first)
        cursor = instant_cursor(after)
        async with ctx.db() as session:
            page = await objections.list_objections(
                session, ctx.hub, ctx.principal, status=status, first=n, after=cursor
            )
        now = ctx.hub.clock.now()
        return page_connection(
            page,
            node=lambda c: Objection.from_case(c, now),
            cursor=lambda c: (c.row.due_by.isoformat(), c.row.id),
        )


@strawberry.type
class ObjectionMutation:
    @strawberry.mutation(
        description="Object to one of your records (征信业管理条例 Art 25): it is "
        "DISPUTED at once; a reply is due within 20 days. After an answered "
        "objection a new one needs a new reason and leaves the record's status "
        "as it is. Admins may file on the subject's behalf. A replayed "
        "idempotencyKey returns the first objection.",
        permission_classes=[SubjectOrAdmin],
    )
    async def file_objection(
        self,
        info: Info,
        input: FileObjectionInput,
        idempotency_key: str | None = None,
    ) -> Objection:
        ctx = info.context
        async with ctx.db() as session:
            row = await objections.file_objection(
                session,
                ctx.hub,
                ctx.principal,
                record_id=str(input.record_id),
                reason=input.reason,
                idempotency_key=idempotency_key,
            )
            case = await objections.show_objection(session, ctx.hub, ctx.principal, row)
        return Objection.from_case(case, ctx.hub.clock.now())

    @strawberry.mutation(
        description="CORRECTED (with corrections: title, severity, authority, dates, "
        "details), REVOKED (record withdrawn) or UPHELD (record back to its prior "
        "status). The note is shown to the subject.",
        permission_classes=[IsAdmin],
    )
    async def resolve_objection(
        self,
        info: Info,
        id: strawberry.ID,
        resolution: ObjectionResolution,
        note: str,
        corrections: JSON | None = None,
    ) -> Objection:
        ctx = info.context
        async with ctx.db() as session:
            row = await objections.resolve_objection(
                session,
                ctx.hub,
                ctx.principal,
                objection_id=str(id),
                resolution=resolution,
                note=note,
                corrections=corrections,  # type: ignore[arg-type]
            )
            case = await objections.show_objection(session, ctx.hub, ctx.principal, row)
        return Objection.from_case(case, ctx.hub.clock.now())
