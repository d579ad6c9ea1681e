"""Programme statistics for admins: profile reads, decisions, benefits, loans."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from hub.decisions.stats import hub_stats
from schema.permissions import IsAdmin

if TYPE_CHECKING:
    from hub.decisions.stats import HubStatsData

__all__ = ["FunnelStats", "HubStats", "ScenarioStats", "StatsQuery"]


@strawberry.type
class ScenarioStats:
    scenario: str
    decisions: int
    eligible: int
    restricted: int
    benefits_applied: int


@strawberry.type
class FunnelStats:
    requests: int
    approved: int
    rejected: int
    expired: int
    decisions: int
    loans_granted: int
    median_hours_to_answer: float | None = strawberry.field(
        description="Median hours from request to the enterprise's answer."
    )
    median_days_to_loan: float | None = strawberry.field(
        description="Median days from approval to a reported loan."
    )


@strawberry.type
class HubStats:
    profile_reads: int
    decisions: int
    loans_granted: int
    loan_amount: float = strawberry.field(
        description="Total amount of credit loans reported back as granted, CNY."
    )
    by_scenario: list[ScenarioStats]
    funnel: FunnelStats = strawberry.field(
        description="The 信易贷 funnel of the consent requests made in the period."
    )

    @classmethod
    def of(cls, s: HubStatsData) -> HubStats:
        return cls(
            profile_reads=s.profile_reads,
            decisions=s.decisions,
            loans_granted=s.loans_granted,
            loan_amount=s.loan_amount,
            by_scenario=[
                ScenarioStats(
                    scenario=x.scenario,
                    decisions=x.decisions,
                    eligible=x.eligible,
                    restricted=x.restricted,
                    benefits_applied=x.benefits_applied,
                )
                for x in s.by_scenario
            ],
            funnel=FunnelStats(
                requests=s.funnel.requests,
                approved=s.funnel.approved,
                rejected=s.funnel.rejected,
                expired=s.funnel.expired,
                decisions=s.funnel.decisions,
                loans_granted=s.funnel.loans_granted,
                median_hours_to_answer=s.funnel.median_hours_to_answer,
                median_days_to_loan=s.funnel.median_days_to_loan,
            ),
        )


@strawberry.type
class StatsQuery:
    @strawberry.field(permission_classes=[IsAdmin])
    async def stats(
        self,
        info: Info,
        from_: Annotated[date | None, strawberry.argument(name="from")] = None,
        to: date | None = None,
    ) -> HubStats:
        ctx = info.context
        async with ctx.db() as session:
            return HubStats.of(await hub_stats(session, ctx.hub, from_, to))
