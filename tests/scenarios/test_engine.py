"""The rule evaluator's hit policy and operators."""

from __future__ import annotations

import pytest

from scenarios import Reason, compile_rules, evaluate, parse_rules

BASIS = "测试依据"


def table(*rules: dict) -> object:
    return compile_rules(
        parse_rules(
            {
                "version": "t1",
                "default": {
                    "id": "T-DEFAULT",
                    "description": "none",
                    "legal_basis": BASIS,
                },
                "rules": list(rules),
            }
        )
    )


def rule(rid: str, outcome: str, *when: tuple, benefits: tuple = ()) -> dict:
    return {
        "id": rid,
        "description": rid.lower(),
        "legal_basis": BASIS,
        "when": [{"fact": f, "op": o, "value": v} for f, o, v in when],
        "then": {"outcome": outcome, "benefits": list(benefits)},
    }


def benefit(code: str, value: float, key: str | None = None) -> dict:
    out = {"code": code, "value": value, "description": f"{code} {value}"}
    if key:
        out["key"] = key
    return out


def test_no_rule_fires_gives_the_default_with_its_reason() -> None:
    t = table(rule("T-A", "ELIGIBLE", ("grade", "eq", "A")))
    verdict = evaluate(t, {"grade": "C"})
    assert (verdict.outcome, verdict.benefits) == ("INELIGIBLE", ())
    assert verdict.reasons == (Reason("T-DEFAULT", "none", BASIS),)
    assert verdict.rule_version == "t1"


def test_most_restrictive_outcome_wins_and_only_its_rules_are_reasons() -> None:
    t = table(
        rule("T-NO", "INELIGIBLE", ("tax_rating", "in", ["C", "D"])),
        rule(
            "T-A",
            "ELIGIBLE",
            ("grade", "eq", "A"),
            benefits=(benefit("DISCOUNT", 0.1),),
        ),
    )
    verdict = evaluate(t, {"grade": "A", "tax_rating": "D"})
    assert verdict.outcome == "INELIGIBLE"
    assert verdict.benefits == ()
    assert [r.rule_id for r in verdict.reasons] == ["T-NO"]


def test_first_fired_rule_wins_per_benefit_key() -> None:
    t = table(
        rule(
            "T-1",
            "ELIGIBLE",
            ("grade", "eq", "A"),
            benefits=(benefit("TIER", 3.0), benefit("FAST", 1.0, key="X")),
        ),
        rule(
            "T-2",
            "ELIGIBLE",
            ("grade", "in", ["A", "B"]),
            benefits=(benefit("TIER", 1.0), benefit("FAST", 1.0, key="Y")),
        ),
    )
    verdict = evaluate(t, {"grade": "A"})
    assert [(b.code, b.value) for b in verdict.benefits] == [
        ("TIER", 3.0),
        ("FAST", 1.0),
        ("FAST", 1.0),
    ]
    assert [b.description for b in verdict.benefits] == [
        "TIER 3.0",
        "FAST 1.0",
        "FAST 1.0",
    ]
    assert [r.rule_id for r in verdict.reasons] == ["T-1", "T-2"]
    assert [b.value for b in evaluate(t, {"grade": "B"}).benefits] == [1.0, 1.0]


@pytest.mark.parametrize(
    ("op", "value", "fact", "expected"),
    [
        ("eq", 3, 3, True),
        ("eq", 3, 4, False),
        ("ne", 3, 4, True),
        ("ne", 3, 3, False),
        ("ne", 3, None, False),
        ("lt", 1, 0, True),
        ("lt", 1, 1, False),
        ("le", 1, 1, True),
        ("le", 1, 2, False),
        ("gt", 1, 2, True),
        ("gt", 1, 1, False),
        ("ge", 1, 1, True),
        ("ge", 1, 0, False),
        ("ge", 1, None, False),
        ("in", [1, 2], 2, True),
        ("in", [1, 2], 3, False),
        ("in", [1, 2], None, False),
        ("not_in", [1, 2], 3, True),
        ("not_in", [1, 2], 1, False),
        ("not_in", [1, 2], None, False),
        ("eq", None, None, True),
        ("eq", None, 0, False),
        ("ne", None, 0, True),
        ("ne", None, None, False),
    ],
)
def test_operators_and_missing_facts(
    op: str, value: object, fact: object, expected: bool
) -> None:
    t = table(rule("T-X", "ELIGIBLE", ("years_established", op, value)))
    facts = {} if fact is None else {"years_established": fact}
    assert (evaluate(t, facts).outcome == "ELIGIBLE") is expected


def test_joint_punishment_forces_restricted_without_benefits() -> None:
    t = table(
        rule(
            "T-A",
            "ELIGIBLE",
            ("grade", "eq", "A"),
            benefits=(benefit("DISCOUNT", 0.1),),
        ),
        rule("T-R", "RESTRICTED", ("focus_listed", "eq", True)),
    )
    jp = (Reason("JP-BLACK-LIST", "列入名单", "国办发〔2019〕35号 §10"),)
    verdict = evaluate(t, {"grade": "A", "focus_listed": True}, joint_punishment=jp)
    assert verdict.outcome == "RESTRICTED"
    assert verdict.benefits == ()
    assert [r.rule_id for r in verdict.reasons] == ["JP-BLACK-LIST", "T-R"]
