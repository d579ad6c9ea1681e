"""信易+ scenarios: eligibility decisions, outcomes, rule versions and stats.

A Decision discloses outcome, benefits and reasons — never the records or
facts behind them (DESIGN.md "Minimise at the query").
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

import schema.enums  # noqa: F401  (registers the domain enums)
from hub.decisions import repository as decisions_repo
from hub.decisions import rules as decision_rules
from hub.decisions import service
from hub.decisions.dry_run import DryRunSummary, dry_run
from hub.decisions.stats import HubStatsData, hub_stats
from hub.enums import DataCategory, DecisionOutcome, Purpose
from hub.errors import ErrorCode, HubError
from hub.models import Decision as DecisionRow
from hub.models import Outcome as OutcomeRow
from scenarios.protocol import Scenario as ScenarioPlugin
from schema.permissions import (
    CanAskEligibility,
    CanReportOutcome,
    IsAdmin,
    IsAuthenticated,
)
from schema.scalars import JSON, USCC

__all__ = [
    "Benefit",
    "Decision",
    "HubStats",
    "Outcome",
    "OutcomeInput",
    "OutcomeTransition",
    "Reason",
    "RuleHits",
    "Scenario",
    "ScenarioDryRun",
    "ScenarioMutation",
    "ScenarioQuery",
    "ScenarioStats",
]


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
class Scenario:
    key: str
    name: str
    description: str
    purpose: Purpose
    rule_version: str
    benefit_codes: list[str]
    categories: list[DataCategory] = strawberry.field(
        description="Categories a consent must cover for a non-RESTRICTED answer."
    )

    @classmethod
    def of(cls, s: ScenarioPlugin, version: str) -> Scenario:
        return cls(
            key=s.key,
            name=s.name,
            description=s.description,
            purpose=s.purpose,
            rule_version=version,
            benefit_codes=list(s.benefit_codes),
            categories=sorted(s.categories),
        )


@strawberry.type
class Outcome:
    id: strawberry.ID
    result: str = strawberry.field(
        description="e.g. LOAN_GRANTED, LOAN_DECLINED, BENEFIT_APPLIED, "
        "BENEFIT_NOT_USED"
    )
    amount: float | None
    recorded_at: datetime
    decision_id: strawberry.Private[str]

    @strawberry.field
    async def decision(self, info: Info) -> Decision:
        async with info.context.db() as session:
            row = await decisions_repo.decision(session, self.decision_id)
        assert row is not None  # foreign key
        return Decision.from_row(row)

    @classmethod
    def from_row(cls, row: OutcomeRow) -> Outcome:
        return cls(
            id=strawberry.ID(row.id),
            result=row.result,
            amount=row.amount,
            recorded_at=row.recorded_at,
            decision_id=row.decision_id,
        )


@strawberry.type
class ScenarioStats:
    scenario: str
    decisions: int
    eligible: int
    restricted: int
    benefits_applied: int


@strawberry.type
class HubStats:
    profile_reads: int
    decisions: int
    loans_granted: int
    loan_amount: float = strawberry.field(
        description="Total amount of credit loans reported back as granted, CNY."
    )
    by_scenario: list[ScenarioStats]

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
        )


@strawberry.type(description="Entities moving from one outcome to another.")
class OutcomeTransition:
    current: DecisionOutcome
    proposed: DecisionOutcome
    entities: int | None = strawberry.field(
        description="Null when fewer than 5 (small counts would single out "
        "enterprises)."
    )


@strawberry.type
class RuleHits:
    rule_id: str
    fired: int | None = strawberry.field(
        description="Entities for which all the rule's conditions held (for the "
        "default rule: for which no rule's did); null when fewer than 5."
    )


@strawberry.type(
    description="How a sample of entities fares under the rules in force and "
    "under proposed rules, as counts only: never an outcome, benefit or reason "
    "per entity, so a dry run cannot be used to read profiles."
)
class ScenarioDryRun:
    scenario: str
    current_version: str
    proposed_version: str
    entities: int = strawberry.field(description="Entities evaluated (20–100).")
    unknown: int = strawberry.field(
        description="Listed codes that are not registered (not evaluated)."
    )
    changed: int | None = strawberry.field(
        description="Entities whose outcome or benefits would change; null when "
        "fewer than 5."
    )
    joint_punishment: int | None = strawberry.field(
        description="Entities RESTRICTED by joint punishment whatever the rules; "
        "null when fewer than 5."
    )
    transitions: list[OutcomeTransition]
    rules: list[RuleHits] = strawberry.field(
        description="Every proposed rule, then the default, with its count."
    )

    @classmethod
    def of(cls, d: DryRunSummary) -> ScenarioDryRun:
        return cls(
            scenario=d.scenario,
            current_version=d.current_version,
            proposed_version=d.proposed_version,
            entities=d.entities,
            unknown=d.unknown,
            changed=d.changed,
            joint_punishment=d.joint_punishment,
            transitions=[
                OutcomeTransition(
                    current=t.current, proposed=t.proposed, entities=t.entities
                )
                for t in d.transitions
            ],
            rules=[RuleHits(rule_id=r.rule_id, fired=r.fired) for r in d.rules],
        )


@strawberry.input
class OutcomeInput:
    decision_id: strawberry.ID
    result: str
    amount: float | None = None


@strawberry.type
class ScenarioQuery:
    @strawberry.field(permission_classes=[IsAuthenticated])
    async def scenarios(self, info: Info) -> list[Scenario]:
        ctx = info.context
        async with ctx.db() as session:
            published = await decisions_repo.active_versions(session)
        return [
            Scenario.of(s, published.get(s.key) or s.default_rules().version)
            for s in ctx.hub.scenarios
        ]

    @strawberry.field(
        permission_classes=[CanAskEligibility],
        description="Requires an ACTIVE consent for the scenario's purpose, except "
        "that public joint-punishment lists always apply (RESTRICTED).",
    )
    async def eligibility(self, info: Info, scenario: str, uscc: USCC) -> Decision:
        ctx = info.context
        async with ctx.db() as session:
            row = await service.check_eligibility(
                session, ctx.hub, ctx.principal, scenario, str(uscc)
            )
        return Decision.from_row(row)

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

    @strawberry.field(
        permission_classes=[IsAdmin],
        description="Counts of outcomes over a fixed sample of registered "
        "entities (the first 100 in a scrambled order the caller cannot choose, "
        "so no run can single an enterprise out) under the rules in force and "
        "under proposed rules; nothing is published or stored but one "
        "scenario.dry_run audit event per entity.",
    )
    async def scenario_dry_run(
        self, info: Info, scenario: str, rules: JSON
    ) -> ScenarioDryRun:
        ctx = info.context
        async with ctx.db() as session:
            summary = await dry_run(
                session, ctx.hub, ctx.principal, scenario, rules, None
            )
        return ScenarioDryRun.of(summary)


@strawberry.type
class ScenarioMutation:
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
            )
        return Outcome.from_row(row)

    @strawberry.mutation(permission_classes=[IsAdmin])
    async def publish_scenario_rules(
        self,
        info: Info,
        scenario: str,
        rules: JSON,
        dry_run: bool = False,
    ) -> Scenario:
        ctx = info.context
        plugin = ctx.hub.scenarios.get(scenario)
        if not isinstance(rules, dict):
            raise HubError(
                "rules must be a JSON object with version, default and rules.",
                ErrorCode.VALIDATION_ERROR,
            )
        async with ctx.db() as session:
            published = await decision_rules.publish_rules(
                session, ctx.hub, ctx.principal, plugin, rules, dry_run=dry_run
            )
        return Scenario.of(plugin, published.version)
