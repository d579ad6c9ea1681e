"""Try a proposed rule set over a sample of entities before publishing it.

Only aggregates come back: how many entities move from each current outcome
to each proposed outcome, and how often each proposed rule fired.  Never an
outcome, benefit or reason per entity — those would let an admin read
profiles for a purpose of its own (write a rule per fact, read the answer per
code; DESIGN.md "Minimise at the query").  For the same reason a sample has at
least ``MIN_SAMPLE`` entities: a count over a handful singles them out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub.access.door import Grant, open_doors
from hub.auth.principal import Principal
from hub.decisions import repository as repo
from hub.decisions.engine import (
    CompiledRules,
    compile_rules,
    evaluate,
    fired_rule_ids,
)
from hub.decisions.facts import load_facts
from hub.decisions.joint_punishment import joint_punishment_reasons
from hub.decisions.rules import check_for, rules_in_force
from hub.enums import AccessBasis, DecisionOutcome
from hub.errors import ErrorCode, HubError
from hub.uscc import check_uscc
from scenarios.protocol import Scenario

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = [
    "DryRunSummary",
    "MAX_SAMPLE",
    "MIN_REPORTED",
    "MIN_SAMPLE",
    "RuleHits",
    "Transition",
    "coarse",
    "dry_run",
    "sample",
]

MAX_SAMPLE = 100
MIN_SAMPLE = 20


@dataclass(frozen=True, slots=True)
class Transition:
    current: DecisionOutcome
    proposed: DecisionOutcome
    entities: int | None


@dataclass(frozen=True, slots=True)
class RuleHits:
    rule_id: str
    fired: int | None


@dataclass(frozen=True, slots=True)
class DryRunSummary:
    scenario: str
    current_version: str
    proposed_version: str
    entities: int  # evaluated
    unknown: int  # listed codes that are not registered
    changed: int | None  # outcome or benefits differ
    joint_punishment: int | None  # RESTRICTED whatever the rules say
    transitions: tuple[Transition, ...]
    rules: tuple[RuleHits, ...]


async def sample(
    session: AsyncSession, usccs: Sequence[str] | None, size: int
) -> tuple[list[str], int]:
    """The entities to evaluate and how many listed codes are unknown (a
    caller-chosen list, or the fixed scrambled sample; other rule sets reuse it)."""
    if not MIN_SAMPLE <= size <= MAX_SAMPLE:
        raise HubError(
            f"The sample size must be {MIN_SAMPLE}–{MAX_SAMPLE}; smaller samples "
            "would single out enterprises.",
            ErrorCode.VALIDATION_ERROR,
        )
    if usccs is None:
        chosen = await repo.sample_entities(session, size)
        unknown = 0
    else:
        listed = list(dict.fromkeys(usccs))
        if len(listed) > MAX_SAMPLE:
            raise HubError(
                f"At most {MAX_SAMPLE} sample entities per dry run.",
                ErrorCode.VALIDATION_ERROR,
            )
        for uscc in listed:
            check_uscc(uscc)
        found = await repo.registered(session, listed)
        chosen = [u for u in listed if u in found]
        unknown = len(listed) - len(chosen)
    if len(chosen) < MIN_SAMPLE:
        raise HubError(
            f"A dry run needs at least {MIN_SAMPLE} distinct registered entities "
            f"(got {len(chosen)}): counts over a smaller sample would single out "
            "enterprises.",
            ErrorCode.VALIDATION_ERROR,
            minSample=MIN_SAMPLE,
        )
    return chosen, unknown


# Counts below this are withheld (null): a rule written to match one
# enterprise's facts would otherwise reveal them through its count.
MIN_REPORTED = 5


def coarse(n: int) -> int | None:
    """``n``, or None when it is below ``MIN_REPORTED`` (but not zero)."""
    return n if n == 0 or n >= MIN_REPORTED else None


async def _open_sample(
    session: AsyncSession,
    hub: Hub,
    principal: Principal,
    scenario: Scenario,
    proposed: CompiledRules,
    chosen: Sequence[str],
) -> list[Grant]:
    """One door for the whole sample (one audit event per entity)."""
    opened = await open_doors(
        session,
        hub,
        principal,
        usccs=chosen,
        purpose=None,
        action="scenario.dry_run",
        categories=scenario.categories,
        detail={"scenario": scenario.key, "version": proposed.rules.version},
        basis=AccessBasis.DRY_RUN,
    )
    grants: list[Grant] = []
    for answer in opened.values():
        if isinstance(answer, HubError):  # the door audited every refusal
            raise answer
        grants.append(answer)
    return grants


async def dry_run(
    session: AsyncSession,
    hub: Hub,
    principal: Principal,
    scenario_key: str,
    raw: Any,
    usccs: Sequence[str] | None = None,
    *,
    size: int = MAX_SAMPLE,
) -> DryRunSummary:
    """Aggregate outcomes under the rules in force and under ``raw``.

    ``usccs`` lists the sample (at least ``MIN_SAMPLE`` distinct registered
    entities, at most ``MAX_SAMPLE``); without it the first ``size`` entities
    in a fixed scrambled order are used, so the admin does not pick them.
    GraphQL always uses the full ``MAX_SAMPLE``: a caller-chosen size would
    let two runs differ by exactly one entity and reveal its answer.
    Nothing is stored but one ``scenario.dry_run`` audit event per entity,
    written by the door on the basis DRY_RUN and settled ``EVALUATED``: its
    data was processed, and the subject can see that in its log.
    """
    scenario = hub.scenarios.get(scenario_key)
    proposed = compile_rules(check_for(scenario, raw))
    chosen, unknown = await sample(session, usccs, size)
    current = await rules_in_force(session, scenario)
    grants = await _open_sample(session, hub, principal, scenario, proposed, chosen)
    moves: Counter[tuple[DecisionOutcome, DecisionOutcome]] = Counter()
    hits: Counter[str] = Counter()
    changed = punished = 0
    for grant in grants:
        facts, data = await load_facts(session, hub, grant)
        jp = joint_punishment_reasons(data)
        before = evaluate(current, facts, joint_punishment=jp)
        after = evaluate(proposed, facts, joint_punishment=jp)
        grant.settle("EVALUATED")
        moves[(before.outcome, after.outcome)] += 1
        changed += (before.outcome, before.benefits) != (after.outcome, after.benefits)
        punished += bool(jp)
        # The default "fires" when no rule's conditions hold.
        hits.update(fired_rule_ids(proposed, facts) or (proposed.rules.default.id,))
    table = proposed.rules
    return DryRunSummary(
        scenario=scenario.key,
        current_version=current.rules.version,
        proposed_version=table.version,
        entities=len(chosen),
        unknown=unknown,
        changed=coarse(changed),
        joint_punishment=coarse(punished),
        transitions=tuple(
            Transition(c, p, coarse(n)) for (c, p), n in sorted(moves.items())
        ),
        rules=tuple(
            RuleHits(r.id, coarse(hits[r.id]))  # type: ignore[attr-defined]
            for r in (*table.rules, table.default)
        ),
    )
