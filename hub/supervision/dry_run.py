"""Try proposed supervision rules over the dry-run sample before publishing.

The same guard rails as scenario dry runs (:mod:`hub.decisions.dry_run`):
the fixed scrambled sample the admin cannot choose, one ``supervision.dry_run``
event per entity on the basis DRY_RUN, and counts only — how many entities
move from each current class to each proposed class, and how often each
proposed rule fired — with counts below 5 withheld.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub.access.door import open_doors
from hub.auth.principal import Principal
from hub.decisions.dry_run import MAX_SAMPLE, coarse, sample
from hub.decisions.facts import load_facts_many
from hub.enums import AccessBasis
from hub.errors import HubError
from hub.supervision.rules import (
    CATEGORIES,
    compile_supervision,
    parse_supervision_rules,
    rules_in_force,
)

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = ["ClassMove", "SupervisionDryRun", "dry_run"]


@dataclass(frozen=True, slots=True)
class ClassMove:
    current: str
    proposed: str
    entities: int | None


@dataclass(frozen=True, slots=True)
class SupervisionDryRun:
    current_version: str
    proposed_version: str
    entities: int
    changed: int | None
    moves: tuple[ClassMove, ...]
    rules: tuple[tuple[str, int | None], ...]  # (rule id, times fired)


async def dry_run(
    session: AsyncSession, hub: Hub, principal: Principal, raw: Any
) -> SupervisionDryRun:
    """Classes over the sample under the rules in force and under ``raw``."""
    proposed = compile_supervision(parse_supervision_rules(raw))
    chosen, _ = await sample(session, None, MAX_SAMPLE)
    current = await rules_in_force(session)
    opened = await open_doors(
        session,
        hub,
        principal,
        usccs=chosen,
        purpose=None,
        action="supervision.dry_run",
        categories=CATEGORIES,
        detail={"version": proposed.version},
        basis=AccessBasis.DRY_RUN,
    )
    moves: Counter[tuple[str, str]] = Counter()
    hits: Counter[str] = Counter()
    changed = 0
    grants = []
    for grant in opened.values():
        if isinstance(grant, HubError):  # the door audited every refusal
            raise grant
        grants.append(grant)
    all_facts = await load_facts_many(session, hub, grants)
    for grant in grants:
        facts = all_facts[grant.uscc]
        before, _ = current.advise(facts)
        after, _ = proposed.advise(facts)
        grant.settle("EVALUATED")
        moves[(before.name, after.name)] += 1
        changed += before.name != after.name
        hits.update(proposed.fired(facts) or (proposed.rules.default.id,))
    table = proposed.rules
    return SupervisionDryRun(
        current_version=current.version,
        proposed_version=proposed.version,
        entities=len(chosen),
        changed=coarse(changed),
        moves=tuple(ClassMove(c, p, coarse(n)) for (c, p), n in sorted(moves.items())),
        rules=tuple(
            (rid, coarse(hits[rid]))
            for rid in (*(r.id for r in table.rules), table.default.id)
        ),
    )
