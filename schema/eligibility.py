"""Eligibility: a scenario's decision for one enterprise, with benefits and reasons.

A Decision discloses outcome, benefits and reasons — never the records or
facts behind them (DESIGN.md "Minimise at the query").
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import strawberry
from strawberry.types import Info

import schema.enums  # noqa: F401  (registers the domain enums)
from hub.decisions import service
from hub.enums import DecisionOutcome
from schema.permissions import CanAskEligibility
from schema.scalars import USCC

if TYPE_CHECKING:
    from hub.models import Decision as DecisionRow

__all__ = ["Benefit", "Decision", "EligibilityQuery", "Reason"]


@strawberry.type
class Benefit:
    code: str
    description: str
    value: float | None = strawberry.field(
        description="Fraction or amount, as the code defines "
        "(DEPOSIT_WAIVER 1.0 = fully waived)."
    )

    @classmethod
    def from_dict(cls, b: dict[str, Any]) -> Benefit:
        return cls(code=b["code"], description=b["description"], value=b.get("value"))


@strawberry.type
class Reason:
    rule_id: str
    description: str
    legal_basis: str | None = strawberry.field(
        description="The policy document and clause the rule rests on."
    )

    @classmethod
    def from_dict(cls, r: dict[str, Any]) -> Reason:
        return cls(
            rule_id=r["rule_id"],
            description=r["description"],
            legal_basis=r.get("legal_basis"),
        )


@strawberry.type(
    description="A scenario decision. It discloses the outcome, "
    "never the underlying records."
)
class Decision:
    id: strawberry.ID
    scenario: str
    uscc: USCC
    outcome: DecisionOutcome
    benefits: list[Benefit]
    reasons: list[Reason]
    rule_version: str
    decided_at: datetime

    @classmethod
    def from_row(cls, row: DecisionRow) -> Decision:
        return cls(
            id=strawberry.ID(row.id),
            scenario=row.scenario,
            uscc=USCC(row.uscc),
            outcome=DecisionOutcome(row.outcome),
            benefits=[Benefit.from_dict(b) for b in row.benefits],
            reasons=[Reason.from_dict(r) for r in row.reasons],
            rule_version=row.rule_version,
            decided_at=row.decided_at,
        )


@strawberry.type
class EligibilityQuery:
    @strawberry.field(
        permission_classes=[CanAskEligibility],
        description="Requires an ACTIVE consent for the scenario's purpose, except "
        "that a BLACK list membership in force (joint punishment) always applies "
        "(RESTRICTED). A record outside the lists never restricts without consent.",
    )
    async def eligibility(self, info: Info, scenario: str, uscc: USCC) -> Decision:
        ctx = info.context
        async with ctx.db() as session:
            row = await service.check_eligibility(
                session, ctx.hub, ctx.principal, scenario, str(uscc)
            )
        return Decision.from_row(row)
