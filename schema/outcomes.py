"""Outcome feedback (放款反馈): what became of a decision."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import strawberry
from strawberry.types import Info

from hub.decisions import service
from schema.eligibility import Decision
from schema.permissions import CanReportOutcome

if TYPE_CHECKING:
    from hub.models import Outcome as OutcomeRow

__all__ = ["Outcome", "OutcomeInput", "OutcomeMutation"]


@strawberry.type
class Outcome:
    id: strawberry.ID
    result: str = strawberry.field(
        description="e.g. LOAN_GRANTED, LOAN_DECLINED, BENEFIT_APPLIED, "
        "BENEFIT_NOT_USED"
    )
    amount: float | None
    recorded_at: datetime
    reference: str | None = strawberry.field(
        description="The requester's reference of the consent request behind the "
        "decision (e.g. its loan application number)."
    )
    decision_id: strawberry.Private[str]

    @strawberry.field
    async def decision(self, info: Info) -> Decision:
        async with info.context.db() as session:
            row = await service.get_decision(session, self.decision_id)
        assert row is not None  # foreign key
        return Decision.from_row(row)

    @classmethod
    def from_row(cls, row: OutcomeRow) -> Outcome:
        return cls(
            id=strawberry.ID(row.id),
            result=row.result,
            amount=row.amount,
            recorded_at=row.recorded_at,
            reference=row.reference,
            decision_id=row.decision_id,
        )


@strawberry.input
class OutcomeInput:
    decision_id: strawberry.ID
    result: str
    amount: float | None = None
    reference: str | None = strawberry.field(
        default=None,
        description="Your reference (e.g. the loan application number); must match "
        "the consent request's when the decision was made under one.",
    )


@strawberry.type
class OutcomeMutation:
    @strawberry.mutation(permission_classes=[CanReportOutcome])
    async def record_outcome(
        self,
        info: Info,
        input: OutcomeInput,
        idempotency_key: str | None = None,
    ) -> Outcome:
        ctx = info.context
        async with ctx.db() as session:
            row = await service.record_outcome(
                session,
                ctx.hub,
                ctx.principal,
                decision_id=str(input.decision_id),
                result=input.result,
                amount=input.amount,
                idempotency_key=idempotency_key,
                reference=input.reference,
            )
        return Outcome.from_row(row)
