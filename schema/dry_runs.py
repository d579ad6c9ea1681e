"""Trying proposed scenario rules over a sample before publishing them.

Counts only: never an outcome, benefit or reason per entity, so a dry run
cannot be used to read profiles (hub.decisions.dry_run).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import strawberry
from strawberry.types import Info

import schema.enums  # noqa: F401  (registers the domain enums)
from hub.decisions.dry_run import dry_run
from hub.enums import DecisionOutcome
from schema.permissions import IsAdmin
from schema.scalars import JSON

if TYPE_CHECKING:
    from hub.decisions.dry_run import DryRunSummary

__all__ = ["DryRunQuery", "OutcomeTransition", "RuleHits", "ScenarioDryRun"]


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
        description="Entities RESTRICTED by joint punishment (a BLACK list "
        "membership in force) whatever the rules; null when fewer than 5."
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


@strawberry.type
class DryRunQuery:
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
