"""Graded supervision for agencies (国办发〔2019〕35号 §七), on a statutory basis.

No consent: an agency holding SUPERVISION in the access policy reads on the
basis STATUTORY, through the door like every read (``supervision.read`` in
the enterprise's access log; a BANK or a SUBJECT is refused there, audited).

- :func:`advice` — risk class, sampling ratio and frequency for one
  enterprise, with the rules behind them (:mod:`hub.supervision.rules`).
- :func:`draw` — a stratified random draw (双随机): the entities in scope are
  grouped by risk class, the draw is shared out among the classes in
  proportion to (entities × sampling ratio) by largest remainder, and each
  class is sampled with ``random.Random(seed)`` over code-ordered members.
  Same seed, population and rules → same entities.  Exactly
  ``min(size, in scope)`` are drawn; the draw is stored and audited with
  its seed.

Services never commit.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub.access.door import Grant, open_door, open_doors
from hub.audit.changes import record_change
from hub.auth.principal import Principal
from hub.decisions.facts import load_facts, load_facts_many
from hub.decisions.verdict import Reason
from hub.entities import check_industry_code, check_region_code
from hub.enums import AccessBasis, Grade, Purpose
from hub.errors import ErrorCode, HubError
from hub.models import InspectionDraw, new_id
from hub.supervision import repository as repo
from hub.supervision.rules import CATEGORIES, CompiledSupervision, rules_in_force
from hub.uscc import check_uscc

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = ["ACTION", "MAX_DRAW", "MAX_SCOPE", "Advice", "advice", "allocate", "draw"]

ACTION = "supervision.read"
MAX_DRAW = 1000
# One draw reads every entity in scope (to stratify it); past this, narrow
# the scope by industry.
MAX_SCOPE = 20000


@dataclass(frozen=True, slots=True)
class Advice:
    uscc: str
    grade: Grade
    risk_class: str
    sampling_ratio: float
    frequency_per_year: float
    reasons: tuple[Reason, ...]
    rule_version: str

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["grade"] = str(self.grade)
        out["reasons"] = [r.as_dict() for r in self.reasons]
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Advice:
        return cls(
            d["uscc"],
            Grade(d["grade"]),
            d["risk_class"],
            d["sampling_ratio"],
            d["frequency_per_year"],
            tuple(Reason(**r) for r in d["reasons"]),
            d["rule_version"],
        )


def _advise(grant: Grant, facts: dict[str, Any], rules: CompiledSupervision) -> Advice:
    risk, reasons = rules.advise(facts)
    grant.settle("GRANTED", riskClass=risk.name, ruleVersion=rules.version)
    return Advice(
        grant.uscc,
        Grade(facts["grade"]),
        risk.name,
        risk.sampling_ratio,
        risk.frequency_per_year,
        reasons,
        rules.version,
    )


async def advice(
    session: AsyncSession, hub: Hub, principal: Principal, uscc: str
) -> Advice:
    """Supervision advice for one registered enterprise (NOT_FOUND if none)."""
    check_uscc(uscc)
    grant = await open_door(
        session,
        hub,
        principal,
        uscc=uscc,
        purpose=Purpose.SUPERVISION,
        action=ACTION,
        categories=CATEGORIES,
        basis=AccessBasis.STATUTORY,
    )
    facts, _ = await load_facts(session, hub, grant)
    return _advise(grant, facts, await rules_in_force(session))


def allocate(sizes: dict[str, int], ratios: dict[str, float], n: int) -> dict[str, int]:
    """Share ``n`` draws among strata in proportion to size × ratio.

    Largest remainder (Hamilton) with ties to the higher-risk stratum (the
    later one in ``sizes``' order); no stratum gets more than its size, and
    the shares add up to exactly ``min(n, sum(sizes))``.

    >>> allocate({"LOW": 100, "HIGH": 10}, {"LOW": 0.02, "HIGH": 0.3}, 5)
    {'LOW': 2, 'HIGH': 3}
    """
    n = min(n, sum(sizes.values()))
    share = dict.fromkeys(sizes, 0)
    order = list(sizes)
    while n > sum(share.values()):
        room = {h: sizes[h] - share[h] for h in order if sizes[h] > share[h]}
        left = n - sum(share.values())
        weight = {h: room[h] * ratios[h] for h in room}
        total = sum(weight.values())
        quota = {h: left * weight[h] / total for h in room}
        floors = {h: min(room[h], int(quota[h])) for h in room}
        rest = left - sum(floors.values())
        by_remainder = sorted(
            room, key=lambda h: (quota[h] - int(quota[h]), order.index(h)), reverse=True
        )
        for h in by_remainder:
            if rest == 0:
                break
            if floors[h] < room[h]:
                floors[h] += 1
                rest -= 1
        for h, k in floors.items():
            share[h] += k
    return share


def _seeded_sample(
    strata: dict[str, list[str]], share: dict[str, int], seed: str
) -> list[str]:
    # One generator for the whole draw, strata in the rules' class order and
    # members in code order: the seed alone decides the outcome.
    rng = random.Random(seed)
    drawn: list[str] = []
    for name, members in strata.items():
        drawn += rng.sample(sorted(members), share[name])
    return drawn


async def draw(
    session: AsyncSession,
    hub: Hub,
    principal: Principal,
    *,
    region_code: str,
    industry_code: str | None,
    size: int,
    seed: str,
) -> tuple[InspectionDraw, list[Advice]]:
    """Draw ``min(size, in scope)`` entities of a region (and industry)."""
    check_region_code(region_code)
    if industry_code is not None:
        check_industry_code(industry_code)
    if not 1 <= size <= MAX_DRAW:
        raise HubError(f"size must be 1–{MAX_DRAW}.", ErrorCode.VALIDATION_ERROR)
    if not seed or len(seed) > 128:
        raise HubError("seed must be 1–128 characters.", ErrorCode.VALIDATION_ERROR)
    if not (
        hub.policy.allows(AccessBasis.STATUTORY, principal.kind)
        and hub.policy.may_hold(principal.kind, Purpose.SUPERVISION)
    ):
        # Refused before any enterprise's data is touched.
        raise HubError(
            f"A {principal.kind} principal may not draw inspections: the access "
            "policy gives SUPERVISION on the STATUTORY basis to other kinds.",
            ErrorCode.FORBIDDEN,
        )
    usccs = await repo.population(session, region_code, industry_code, MAX_SCOPE + 1)
    if len(usccs) > MAX_SCOPE:
        raise HubError(
            f"More than {MAX_SCOPE} entities in scope; narrow it with industryCode.",
            ErrorCode.VALIDATION_ERROR,
        )
    rules = await rules_in_force(session)
    draw_id = new_id()
    grants, items = await _stratify(
        session, hub, principal, usccs, rules, draw_id, seed
    )
    strata: dict[str, list[str]] = {c.name: [] for c in rules.rules.classes}
    for a in items.values():
        strata[a.risk_class].append(a.uscc)
    ratios = {c.name: c.sampling_ratio for c in rules.rules.classes}
    share = allocate({k: len(v) for k, v in strata.items()}, ratios, size)
    drawn = _seeded_sample(strata, share, seed)
    chosen = set(drawn)
    for uscc, grant in grants.items():
        grant.settle("DRAWN" if uscc in chosen else "NOT_DRAWN")
    row = InspectionDraw(
        id=draw_id,
        agency_id=principal.id,
        seed=seed,
        region_code=region_code,
        industry_code=industry_code,
        size=size,
        in_scope=len(usccs),
        rule_version=rules.version,
        drawn_at=hub.clock.now(),
        items=[items[u].as_dict() for u in drawn],
    )
    repo.add_draw(session, row)
    await record_change(
        session,
        actor=principal,
        action="inspection.draw",
        outcome="DRAWN",
        at=row.drawn_at,
        purpose=str(Purpose.SUPERVISION),
        detail={
            "draw": draw_id,
            "seed": seed,
            "regionCode": region_code,
            "industryCode": industry_code,
            "size": size,
            "inScope": len(usccs),
            "strata": {k: [len(strata[k]), share[k]] for k in strata},
            "drawn": drawn,
            "ruleVersion": rules.version,
        },
    )
    return row, [items[u] for u in drawn]


async def _stratify(
    session: AsyncSession,
    hub: Hub,
    principal: Principal,
    usccs: Sequence[str],
    rules: CompiledSupervision,
    draw_id: str,
    seed: str,
) -> tuple[dict[str, Grant], dict[str, Advice]]:
    """Advice for every entity in scope, each read through the door."""
    if not usccs:
        return {}, {}
    opened = await open_doors(
        session,
        hub,
        principal,
        usccs=usccs,
        purpose=Purpose.SUPERVISION,
        action=ACTION,
        categories=CATEGORIES,
        detail={"draw": draw_id, "seed": seed},
        basis=AccessBasis.STATUTORY,
    )
    grants: dict[str, Grant] = {}
    for uscc, grant in opened.items():
        if isinstance(grant, HubError):  # audited by the door
            raise grant
        grants[uscc] = grant
    # Facts of the whole population in a few statements, not a few per entity.
    facts = await load_facts_many(session, hub, list(grants.values()))
    out = {u: _advise(g, facts[u], rules) for u, g in grants.items()}
    return grants, out
