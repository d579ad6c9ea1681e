"""Graded supervision for agencies (国办发〔2019〕35号 §七): advice and draws.

A statutory basis, not a consent: the access policy decides who may ask
(AGENCY holding SUPERVISION by default) and the door audits every read as
``supervision.read`` in the enterprise's access log — refusals included.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import strawberry
from strawberry.types import Info

import schema.enums  # noqa: F401  (registers the domain enums)
from hub.enums import Grade
from hub.supervision import service
from schema.eligibility import Reason
from schema.permissions import IsAuthenticated
from schema.scalars import USCC

if TYPE_CHECKING:
    from hub.models import InspectionDraw as DrawRow

__all__ = [
    "InspectionDraw",
    "SupervisionAdvice",
    "SupervisionMutation",
    "SupervisionQuery",
]


@strawberry.type(
    description="Graded supervision advice (国办发〔2019〕35号 §七): how often and "
    "how closely to inspect."
)
class SupervisionAdvice:
    uscc: USCC
    grade: Grade
    risk_class: str = strawberry.field(
        description="Risk class used by the rules, e.g. LOW, GENERAL, HIGHER, HIGH."
    )
    sampling_ratio: float = strawberry.field(
        description="Sampling ratio in random inspections (双随机抽查比例) for this "
        "class, e.g. 0.03."
    )
    frequency_per_year: float = strawberry.field(
        description="Suggested inspections per year."
    )
    reasons: list[Reason]
    rule_version: str

    @classmethod
    def of(cls, a: service.Advice) -> SupervisionAdvice:
        return cls(
            uscc=USCC(a.uscc),
            grade=a.grade,
            risk_class=a.risk_class,
            sampling_ratio=a.sampling_ratio,
            frequency_per_year=a.frequency_per_year,
            reasons=[Reason.from_dict(r.as_dict()) for r in a.reasons],
            rule_version=a.rule_version,
        )


@strawberry.type(
    description="A reproducible random inspection draw (双随机): same inputs and "
    "seed, same entities."
)
class InspectionDraw:
    id: strawberry.ID
    seed: str
    region_code: str
    industry_code: str | None
    drawn_at: datetime
    size: int = strawberry.field(description="The size asked for.")
    in_scope: int = strawberry.field(
        description="Entities in scope; min(size, inScope) are drawn."
    )
    items: list[SupervisionAdvice]
    rule_version: str

    @classmethod
    def of(cls, row: DrawRow, items: list[service.Advice]) -> InspectionDraw:
        return cls(
            id=strawberry.ID(row.id),
            seed=row.seed,
            region_code=row.region_code,
            industry_code=row.industry_code,
            drawn_at=row.drawn_at,
            size=row.size,
            in_scope=row.in_scope,
            items=[SupervisionAdvice.of(a) for a in items],
            rule_version=row.rule_version,
        )


@strawberry.type
class SupervisionQuery:
    @strawberry.field(
        description="AGENCY with SUPERVISION in the access policy; audited like a "
        "read (supervision.read). Others are refused (FORBIDDEN), audited too.",
        permission_classes=[IsAuthenticated],
    )
    async def supervision_advice(self, info: Info, uscc: USCC) -> SupervisionAdvice:
        ctx = info.context
        async with ctx.db() as session:
            advice = await service.advice(session, ctx.hub, ctx.principal, str(uscc))
        return SupervisionAdvice.of(advice)


@strawberry.type
class SupervisionMutation:
    @strawberry.mutation(
        description="Stratified random draw (双随机) of exactly min(size, entities in "
        "scope) in regionCode (a city covers its districts) and industryCode; "
        "strata are risk classes, weighted by their sampling ratio. The same seed "
        "over the same population and rules draws the same entities. Audited "
        "with its seed (inspection.draw).",
        permission_classes=[IsAuthenticated],
    )
    async def draw_inspection(
        self,
        info: Info,
        region_code: str,
        size: int,
        seed: str,
        industry_code: str | None = None,
    ) -> InspectionDraw:
        ctx = info.context
        async with ctx.db() as session:
            row, items = await service.draw(
                session,
                ctx.hub,
                ctx.principal,
                region_code=region_code,
                industry_code=industry_code,
                size=size,
                seed=seed,
            )
        return InspectionDraw.of(row, items)
