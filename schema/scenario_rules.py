"""The registered 信易+ scenarios and publishing their rule versions."""

from __future__ import annotations

from typing import TYPE_CHECKING

import strawberry
from strawberry.types import Info

import schema.enums  # noqa: F401  (registers the domain enums)
from hub.decisions import rules as decision_rules
from hub.enums import DataCategory, Purpose
from hub.errors import ErrorCode, HubError
from schema.permissions import IsAdmin, IsAuthenticated
from schema.scalars import JSON

if TYPE_CHECKING:
    from scenarios.protocol import Scenario as ScenarioPlugin

__all__ = ["Scenario", "ScenarioRulesMutation", "ScenarioRulesQuery"]


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
class ScenarioRulesQuery:
    @strawberry.field(permission_classes=[IsAuthenticated])
    async def scenarios(self, info: Info) -> list[Scenario]:
        ctx = info.context
        async with ctx.db() as session:
            versions = await decision_rules.versions_in_force(
                session, ctx.hub.scenarios
            )
        return [Scenario.of(s, versions[s.key]) for s in ctx.hub.scenarios]


@strawberry.type
class ScenarioRulesMutation:
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
