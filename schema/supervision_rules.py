"""The graded-supervision rules: the version in force, publishing, dry runs.

Admins manage them like scenario rules: a bad rule set is refused naming the
rule, versions are immutable, and a dry run shows counts only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import strawberry
from strawberry.types import Info

from hub.errors import ErrorCode, HubError
from hub.supervision import dry_run as supervision_dry_run
from hub.supervision import rules as supervision_rules
from schema.dry_runs import RuleHits
from schema.permissions import IsAdmin, IsAuthenticated
from schema.scalars import JSON

if TYPE_CHECKING:
    from hub.supervision.rules import SupervisionRules as RulesData

__all__ = [
    "RiskClass",
    "SupervisionDryRun",
    "SupervisionRules",
    "SupervisionRulesMutation",
    "SupervisionRulesQuery",
]


@strawberry.type(description="A risk class of graded supervision.")
class RiskClass:
    name: str
    sampling_ratio: float
    frequency_per_year: float
    description: str | None


@strawberry.type(description="The graded-supervision rule set, lowest risk first.")
class SupervisionRules:
    version: str
    classes: list[RiskClass]
    rules: JSON = strawberry.field(description="The whole rule set as data.")

    @classmethod
    def of(cls, r: RulesData) -> SupervisionRules:
        return cls(
            version=r.version,
            classes=[
                RiskClass(
                    name=c.name,
                    sampling_ratio=c.sampling_ratio,
                    frequency_per_year=c.frequency_per_year,
                    description=c.description,
                )
                for c in r.classes
            ],
            rules=r.as_data(),  # type: ignore[arg-type]
        )


@strawberry.type(description="Entities moving from one risk class to another.")
class RiskClassMove:
    current: str
    proposed: str
    entities: int | None = strawberry.field(description="Null when fewer than 5.")


@strawberry.type(
    description="Risk classes of the dry-run sample under the rules in force and "
    "under proposed rules, as counts only (counts below 5 withheld)."
)
class SupervisionDryRun:
    current_version: str
    proposed_version: str
    entities: int
    changed: int | None
    moves: list[RiskClassMove]
    rules: list[RuleHits]


def _object(rules: JSON) -> dict:
    if not isinstance(rules, dict):
        raise HubError(
            "rules must be a JSON object with version, classes, default and rules.",
            ErrorCode.VALIDATION_ERROR,
        )
    return rules


@strawberry.type
class SupervisionRulesQuery:
    @strawberry.field(permission_classes=[IsAuthenticated])
    async def supervision_rules(self, info: Info) -> SupervisionRules:
        async with info.context.db() as session:
            compiled = await supervision_rules.rules_in_force(session)
        return SupervisionRules.of(compiled.rules)

    @strawberry.field(
        permission_classes=[IsAdmin],
        description="Counts of risk classes over the fixed dry-run sample under the "
        "rules in force and under proposed rules; one supervision.dry_run audit "
        "event per entity, nothing stored.",
    )
    async def supervision_dry_run(self, info: Info, rules: JSON) -> SupervisionDryRun:
        ctx = info.context
        async with ctx.db() as session:
            d = await supervision_dry_run.dry_run(
                session, ctx.hub, ctx.principal, _object(rules)
            )
        return SupervisionDryRun(
            current_version=d.current_version,
            proposed_version=d.proposed_version,
            entities=d.entities,
            changed=d.changed,
            moves=[
                RiskClassMove(
                    current=m.current, proposed=m.proposed, entities=m.entities
                )
                for m in d.moves
            ],
            rules=[RuleHits(rule_id=rid, fired=n) for rid, n in d.rules],
        )


@strawberry.type
class SupervisionRulesMutation:
    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Publish a new version of the graded-supervision rules "
        "(dryRun: validate only). A bad rule is refused naming it.",
    )
    async def publish_supervision_rules(
        self, info: Info, rules: JSON, dry_run: bool = False
    ) -> SupervisionRules:
        ctx = info.context
        async with ctx.db() as session:
            published = await supervision_rules.publish(
                session, ctx.hub, ctx.principal, _object(rules), dry_run=dry_run
            )
        return SupervisionRules.of(published)
