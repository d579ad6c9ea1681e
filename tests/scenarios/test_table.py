"""Bad rule sets are rejected with a message naming the bad rule."""

from __future__ import annotations

import copy

import pytest

from scenarios import RuleSetError, parse_rules
from scenarios.credit_loan import scenario as credit_loan

GOOD = credit_loan.default_rules().as_data()


def broken(edit) -> dict:  # type: ignore[no-untyped-def]
    raw = copy.deepcopy(GOOD)
    edit(raw)
    return raw


def reject(raw: object) -> str:
    with pytest.raises(RuleSetError) as err:
        parse_rules(raw, source="credit-loan rules")
    assert err.value.code == "VALIDATION_ERROR"
    return err.value.message


def test_the_built_in_rules_round_trip() -> None:
    assert parse_rules(GOOD) == credit_loan.default_rules()


def test_unknown_operator() -> None:
    msg = reject(broken(lambda r: r["rules"][1]["when"][0].update(op="greater")))
    assert msg == (
        "credit-loan rules rejected: rule 'CL-INEL-GRADE' (rules[1]) at when.0.op: "
        "unknown operator 'greater'; use one of eq, ne, lt, le, gt, ge, in, not_in"
    )


def test_unknown_fact() -> None:
    msg = reject(broken(lambda r: r["rules"][0]["when"][0].update(fact="grde")))
    assert msg.startswith(
        "credit-loan rules rejected: rule 'CL-INEL-DISHONEST' (rules[0]) at "
        "when.0.fact: unknown fact 'grde'; known facts:"
    )


def test_unknown_field_in_a_rule() -> None:
    msg = reject(broken(lambda r: r["rules"][2].update(priority=1)))
    assert msg == (
        "credit-loan rules rejected: rule 'CL-INEL-TAX' (rules[2]): "
        "unknown field 'priority'"
    )


def test_unknown_top_level_field() -> None:
    msg = reject(broken(lambda r: r.update(owner="x")))
    assert msg == "credit-loan rules rejected: rule set: unknown field 'owner'"


def test_value_must_fit_the_fact() -> None:
    msg = reject(broken(lambda r: r["rules"][1]["when"][0].update(value=["F"])))
    assert msg == (
        "credit-loan rules rejected: rule 'CL-INEL-GRADE' (rules[1]) at "
        "when.0: values ['F'] do not fit grade (str (one of A, B, C, D, E))"
    )


def test_ordered_operator_needs_a_number() -> None:
    msg = reject(broken(lambda r: r["rules"][1]["when"][0].update(op="ge")))
    assert "rule 'CL-INEL-GRADE'" in msg
    assert "operator 'ge' needs a numeric fact and value" in msg


def test_legal_basis_is_required() -> None:
    msg = reject(broken(lambda r: r["rules"][3].pop("legal_basis")))
    assert msg == (
        "credit-loan rules rejected: rule 'CL-INEL-PENALTIES' (rules[3]) "
        "at legal_basis: Field required"
    )


def test_benefits_only_on_eligible_rules() -> None:
    def edit(r: dict) -> None:
        r["rules"][5]["then"]["outcome"] = "INELIGIBLE"

    msg = reject(broken(edit))
    assert msg == (
        "credit-loan rules rejected: rule 'CL-TIER-1' (rules[5]) at then: "
        "only ELIGIBLE rules may grant benefits, not INELIGIBLE"
    )


def test_duplicate_rule_ids() -> None:
    msg = reject(broken(lambda r: r["rules"][1].update(id="CL-INEL-DISHONEST")))
    assert msg == (
        "credit-loan rules rejected: rule set: "
        "rule ids must be unique: CL-INEL-DISHONEST"
    )


def test_not_an_object() -> None:
    assert reject([1, 2]) == (
        "credit-loan rules must be an object with version, default, rules"
    )


def test_rules_may_not_use_undeclared_categories_or_benefits() -> None:
    # utility_arrears is UTILITIES, which credit-loan does not declare
    rules = parse_rules(
        broken(
            lambda r: r["rules"][0]["when"][0].update(
                fact="utility_arrears", op="ge", value=1
            )
        )
    )
    with pytest.raises(RuleSetError) as err:
        credit_loan.check(rules)
    assert err.value.message == (
        "rule 'CL-INEL-DISHONEST': fact 'utility_arrears' needs category UTILITIES, "
        "which scenario credit-loan does not declare "
        "(BASIC, EVALUATION, JUDICIAL, PENALTY, TAX)"
    )
    rules = parse_rules(
        broken(lambda r: r["rules"][6]["then"]["benefits"][0].update(code="DISCOUNT"))
    )
    with pytest.raises(RuleSetError) as err:
        credit_loan.check(rules)
    assert err.value.message == (
        "rule 'CL-TIER-2': benefit 'DISCOUNT' is not one of credit-loan's benefit "
        "codes (CREDIT_LOAN_TIER, COLLATERAL_FREE, RATE_DISCOUNT)"
    )
