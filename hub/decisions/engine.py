"""The rule evaluator: a compiled decision table applied to a dict of facts.

Hit policy:
- every rule whose conditions all hold *fires*;
- the outcome is the most restrictive among fired rules
  (RESTRICTED > INELIGIBLE > ELIGIBLE), or the table's default when none fired;
- benefits come from fired ELIGIBLE rules, only when the outcome is ELIGIBLE,
  first rule wins per benefit key (so higher tiers are listed first);
- reasons are the fired rules that carry the final outcome, in table order;
- joint-punishment reasons (``hub.decisions.joint_punishment``) force RESTRICTED.

A condition over a fact that is missing or null is false (unknown data never
qualifies anyone), except ``eq``/``ne`` against null.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hub.decisions.table import Condition, Rule, RuleSet
from hub.decisions.verdict import BenefitGrant, Reason, Verdict
from hub.enums import DecisionOutcome

__all__ = [
    "CompiledRules",
    "Predicate",
    "compile_condition",
    "compile_rules",
    "evaluate",
    "fired_rule_ids",
]

Predicate = Callable[[Mapping[str, Any]], bool]
SEVERITY = {
    DecisionOutcome.ELIGIBLE: 0,
    DecisionOutcome.INELIGIBLE: 1,
    DecisionOutcome.RESTRICTED: 2,
}
_CMP = {"lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge}


def compile_condition(c: Condition) -> Predicate:
    """One condition as a test over facts (other rule sets reuse it)."""
    fact, value = c.fact, c.value
    if c.op == "eq":
        return lambda f: f.get(fact) == value
    if c.op == "ne":
        if value is None:
            return lambda f: f.get(fact) is not None
        return lambda f: (v := f.get(fact)) is not None and v != value
    if c.op in ("in", "not_in"):
        members = frozenset(value)
        if c.op == "in":
            return lambda f: f.get(fact) in members
        return lambda f: (v := f.get(fact)) is not None and v not in members
    cmp = _CMP[c.op]
    return lambda f: (v := f.get(fact)) is not None and cmp(v, value)


@dataclass(frozen=True, slots=True)
class _Compiled:
    rule: Rule
    checks: tuple[Predicate, ...]
    reason: Reason


@dataclass(frozen=True, slots=True)
class CompiledRules:
    rules: RuleSet
    compiled: tuple[_Compiled, ...]
    default_reason: Reason


def compile_rules(rules: RuleSet) -> CompiledRules:
    compiled = tuple(
        _Compiled(
            r,
            tuple(compile_condition(c) for c in r.when),
            Reason(r.id, r.description, r.legal_basis),
        )
        for r in rules.rules
    )
    d = rules.default
    return CompiledRules(rules, compiled, Reason(d.id, d.description, d.legal_basis))


def _fired(table: CompiledRules, facts: Mapping[str, Any]) -> list[_Compiled]:
    return [c for c in table.compiled if all(check(facts) for check in c.checks)]


def fired_rule_ids(table: CompiledRules, facts: Mapping[str, Any]) -> tuple[str, ...]:
    """Ids of the rules whose conditions all hold, in table order (dry runs)."""
    return tuple(c.rule.id for c in _fired(table, facts))


def evaluate(
    table: CompiledRules,
    facts: Mapping[str, Any],
    *,
    joint_punishment: Sequence[Reason] = (),
) -> Verdict:
    """Apply ``table`` to ``facts``; see the module docstring for the hit policy."""
    fired = _fired(table, facts)
    version = table.rules.version
    if joint_punishment:
        own = [
            c.reason for c in fired if c.rule.then.outcome == DecisionOutcome.RESTRICTED
        ]
        return Verdict(
            DecisionOutcome.RESTRICTED, (), (*joint_punishment, *own), version
        )
    if not fired:
        return Verdict(
            table.rules.default.outcome, (), (table.default_reason,), version
        )
    outcome = max((c.rule.then.outcome for c in fired), key=SEVERITY.__getitem__)
    carriers = [c for c in fired if c.rule.then.outcome == outcome]
    benefits: dict[str, BenefitGrant] = {}
    if outcome == DecisionOutcome.ELIGIBLE:
        for c in carriers:
            for b in c.rule.then.benefits:
                grant = BenefitGrant(b.code, b.description, b.value)
                benefits.setdefault(b.slot, grant)
    return Verdict(
        outcome, tuple(benefits.values()), tuple(c.reason for c in carriers), version
    )
