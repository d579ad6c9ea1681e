"""Credit repair (信用修复): the queue, applying and deciding."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import strawberry
from strawberry.types import Info

import schema.enums  # noqa: F401  (contract enums registered first)
from hub.enums import RepairStatus
from hub.rights import repairs
from hub.rights.queues import Case
from schema.common import Connection, check_first
from schema.permissions import IsAdmin, IsSubject
from schema.queues import SubjectOrAdmin, instant_cursor, page_connection
from schema.records import CreditRecord

if TYPE_CHECKING:
    from hub.models import RepairApplication as RepairRow

__all__ = ["ApplyRepairInput", "RepairApplication", "RepairMutation", "RepairQuery"]


@strawberry.type
class RepairApplication:
    id: strawberry.ID
    record: CreditRecord
    status: RepairStatus
    method: str
    evidence: str
    applied_at: datetime
    decided_at: datetime | None
    note: str | None

    @classmethod
    def from_case(cls, case: Case[RepairRow]) -> RepairApplication:
        r = case.row
        return cls(
            id=strawberry.ID(r.id),
            record=CreditRecord.from_row(case.record),
            status=RepairStatus(r.status),
            method=r.method,
            evidence=r.evidence,
            applied_at=r.applied_at,
            decided_at=r.decided_at,
            note=r.note,
        )


@strawberry.input
class ApplyRepairInput:
    record_id: strawberry.ID
    method: str = strawberry.field(
        description="commitment, rectification, verification, training, report or "
        "charity — or its Chinese name (信用核查, 公益慈善 …); any letter case."
    )
    evidence: str


@strawberry.type
class RepairQuery:
    @strawberry.field(
        description="Repair applications, oldest first. Subjects see their own; "
        "admins all.",
        permission_classes=[SubjectOrAdmin],
    )
    async def repairs(
        self,
        info: Info,
        status: RepairStatus | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[RepairApplication]:
        ctx = info.context
        n = check_first(first)
        cursor = instant_cursor(after)
        async with ctx.db() as session:
            page = await repairs.list_repairs(
                session, ctx.hub, ctx.principal, status=status, first=n, after=cursor
            )
        return page_connection(
            page,
            node=RepairApplication.from_case,
            cursor=lambda c: (c.row.applied_at.isoformat(), c.row.id),
        )


@strawberry.type
class RepairMutation:
    @strawberry.mutation(
        description="Apply to repair a negative record after its minimum publication "
        "period (MINOR at once, ORDINARY 3 months, SERIOUS 1 year). Refusals carry "
        "extensions.possibleFrom. method: commitment, rectification, verification, "
        "training, report or charity (or 信用承诺, 信用整改, 信用核查, 专题培训, "
        "信用报告, 公益慈善), in any letter case. A court dishonest-debtor listing "
        "is not repaired: CONFLICT with extensions.route PERFORMANCE.",
        permission_classes=[IsSubject],
    )
    async def apply_repair(
        self, info: Info, input: ApplyRepairInput
    ) -> RepairApplication:
        ctx = info.context
        async with ctx.db() as session:
            row = await repairs.apply_repair(
                session,
                ctx.hub,
                ctx.principal,
                record_id=str(input.record_id),
                method=input.method,
                evidence=input.evidence,
            )
            case = await repairs.show_repair(session, ctx.hub, ctx.principal, row)
        return RepairApplication.from_case(case)

    @strawberry.mutation(permission_classes=[IsAdmin])
    async def decide_repair(
        self, info: Info, id: strawberry.ID, approve: bool, note: str
    ) -> RepairApplication:
        ctx = info.context
        async with ctx.db() as session:
            row = await repairs.decide_repair(
                session,
                ctx.hub,
                ctx.principal,
                repair_id=str(id),
                approve=approve,
                note=note,
            )
            case = await repairs.show_repair(session, ctx.hub, ctx.principal, row)
        return RepairApplication.from_case(case)
