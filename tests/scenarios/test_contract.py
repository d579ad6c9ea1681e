"""One contract test over every registered scenario (STYLE.md §4)."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest

from hub.access.policy import default_policy
from hub.decisions.fact_specs import FACTS
from hub.enums import DataCategory, Purpose
from scenarios import Scenario, ScenarioRegistry, compile_rules, evaluate

KEYS = sorted(ep.name for ep in entry_points(group="xinyi_hub.scenarios"))
SAMPLE = {
    "grade": "A",
    "score": 900,
    "tax_rating": "A",
    "years_established": 5,
    "penalties_ordinary": 0,
    "dishonest_debtor": False,
    "utility_arrears": 0,
    "commitments_breached": 0,
    "red_listed": False,
}


def test_built_in_scenarios_are_registered(registry: ScenarioRegistry) -> None:
    assert {
        "credit-loan",
        "guarantee-fee",
        "deposit-waiver",
        "fast-track-approval",
        "merchant-discount",
    } <= set(registry.keys())
    assert registry.keys() == KEYS


@pytest.mark.parametrize("key", KEYS)
def test_scenario_contract(registry: ScenarioRegistry, key: str) -> None:
    s = registry.get(key)
    assert isinstance(s, Scenario) and s.key == key
    # documented
    assert s.name.strip() and len(s.description) >= 40
    assert isinstance(s.purpose, Purpose)
    assert s.categories and all(isinstance(c, DataCategory) for c in s.categories)
    assert s.benefit_codes
    # the default access policy lets the purpose cover every declared category
    assert s.categories <= default_policy().categories_for(s.purpose)
    rules = s.default_rules()
    # every rule has a legal basis and only uses facts its categories allow
    assert rules.default.legal_basis.strip()
    for rule in rules.rules:
        assert rule.legal_basis.strip(), rule.id
        assert rule.description.strip(), rule.id
        for cond in rule.when:
            assert FACTS[cond.fact].category in s.categories, rule.id
        for b in rule.then.benefits:
            assert b.code in s.benefit_codes, rule.id
    # every declared benefit can actually be granted by some rule
    granted = {b.code for r in rules.rules for b in r.then.benefits}
    assert granted == set(s.benefit_codes)
    # evaluates a sample: a clean grade-A entity is eligible with benefits
    verdict = evaluate(compile_rules(rules), SAMPLE)
    assert verdict.outcome == "ELIGIBLE"
    assert verdict.benefits and verdict.rule_version == rules.version
    assert all(r.legal_basis for r in verdict.reasons)
