"""Try a proposed rule set over sample entities before publishing it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub.audit.chain import append_event
from hub.auth.principal import Principal
from hub.decisions.facts import load_facts
from hub.decisions.rules import check_for, rules_in_force
from hub.errors import ErrorCode, HubError
from hub.uscc import check_uscc
from scenarios.engine import compile_rules, evaluate
from scenarios.joint_punishment import joint_punishment_reasons
from scenarios.verdict import Verdict

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = ["DryRunResult", "MAX_SAMPLE", "dry_run"]

MAX_SAMPLE = 100


@dataclass(frozen=True, slots=True)
class DryRunResult:
    uscc: str
    current: Verdict | None
    proposed: Verdict | None
    error: str | None = None

    @property
    def changed(self) -> bool:
        if self.current is None or self.proposed is None:
            return False
        return (self.current.outcome, self.current.benefits) != (
            self.proposed.outcome,
            self.proposed.benefits,
        )


async def dry_run(
    session: AsyncSession,
    hub: Hub,
    principal: Principal,
    scenario_key: str,
    raw: Any,
    usccs: Sequence[str],
) -> list[DryRunResult]:
    """Outcomes under the rules in force and under ``raw``, per sample entity.

    Nothing is stored but one ``scenario.dry_run`` audit event per entity
    (an admin evaluating an enterprise is an access it can see in its log).
    Only outcomes, benefits and reasons come back, never records.
    """
    scenario = hub.scenarios.get(scenario_key)
    proposed = compile_rules(check_for(scenario, raw))
    if len(usccs) > MAX_SAMPLE:
        raise HubError(
            f"At most {MAX_SAMPLE} sample entities per dry run.",
            ErrorCode.VALIDATION_ERROR,
        )
    current = await rules_in_force(session, scenario)
    out: list[DryRunResult] = []
    for uscc in dict.fromkeys(usccs):
        check_uscc(uscc)
        try:
            facts, data = await load_facts(session, hub, uscc, scenario.categories)
        except HubError as exc:
            out.append(DryRunResult(uscc, None, None, exc.message))
            continue
        jp = joint_punishment_reasons(data)
        await append_event(
            session,
            actor=principal,
            action="scenario.dry_run",
            outcome="EVALUATED",
            at=hub.clock.now(),
            subject=uscc,
            categories=[str(c) for c in scenario.categories],
            detail={"scenario": scenario.key, "version": proposed.rules.version},
        )
        out.append(
            DryRunResult(
                uscc,
                evaluate(current, facts, joint_punishment=jp),
                evaluate(proposed, facts, joint_punishment=jp),
            )
        )
    return out
