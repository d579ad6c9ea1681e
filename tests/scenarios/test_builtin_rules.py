"""Each built-in scenario's default rules, including boundary cases."""

from __future__ import annotations

import pytest

# A clean, established entity: every fact the scenarios test, all favourable.
CLEAN = dict(
    tax_rating="A",
    penalties_minor=0,
    penalties_ordinary=0,
    penalties_serious=0,
    dishonest_debtor=False,
    years_established=5,
    utility_arrears=0,
    commitments_breached=0,
    commitments_fulfilled=0,
    red_listed=False,
    black_listed=False,
    serious_records=0,
)


def benefits(verdict) -> dict[str, float | None]:  # type: ignore[no-untyped-def]
    return {b.description: b.value for b in verdict.benefits}


def rule_ids(verdict) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.rule_id for r in verdict.reasons]


# --- credit-loan ---------------------------------------------------------------


def test_credit_loan_tier_1(decide) -> None:  # type: ignore[no-untyped-def]
    v = decide("credit-loan", **{**CLEAN, "grade": "A", "tax_rating": "B"})
    assert v.outcome == "ELIGIBLE"
    assert [(b.code, b.value) for b in v.benefits] == [
        ("CREDIT_LOAN_TIER", 3_000_000),
        ("COLLATERAL_FREE", 1.0),
        ("RATE_DISCOUNT", 0.10),
    ]
    assert rule_ids(v) == ["CL-TIER-1", "CL-TIER-2"]


def test_credit_loan_tier_2_with_tax_a_discount(decide) -> None:  # type: ignore[no-untyped-def]
    v = decide("credit-loan", **{**CLEAN, "grade": "B", "tax_rating": "A"})
    assert [(b.code, b.value) for b in v.benefits] == [
        ("CREDIT_LOAN_TIER", 1_000_000),
        ("COLLATERAL_FREE", 1.0),
        ("RATE_DISCOUNT", 0.05),
    ]


def test_credit_loan_grade_a_new_taxpayer_gets_tier_2(decide) -> None:  # type: ignore[no-untyped-def]
    v = decide("credit-loan", **{**CLEAN, "grade": "A", "tax_rating": "M"})
    assert [(b.code, b.value) for b in v.benefits] == [
        ("CREDIT_LOAN_TIER", 1_000_000),
        ("COLLATERAL_FREE", 1.0),
    ]


@pytest.mark.parametrize(
    ("ordinary", "outcome", "tier"),
    [(0, "ELIGIBLE", 300_000), (1, "INELIGIBLE", None), (2, "INELIGIBLE", None)],
)
def test_credit_loan_tier_3_boundary(decide, ordinary, outcome, tier) -> None:  # type: ignore[no-untyped-def]
    v = decide(
        "credit-loan",
        **{**CLEAN, "grade": "C", "tax_rating": "B", "penalties_ordinary": ordinary},
    )
    assert v.outcome == outcome
    assert [b.value for b in v.benefits] == ([tier] if tier else [])


def test_credit_loan_two_ordinary_penalties_block_even_grade_a(decide) -> None:  # type: ignore[no-untyped-def]
    v = decide("credit-loan", **{**CLEAN, "grade": "A", "penalties_ordinary": 2})
    assert (v.outcome, rule_ids(v)) == ("INELIGIBLE", ["CL-INEL-PENALTIES"])


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"dishonest_debtor": True}, "CL-INEL-DISHONEST"),
        ({"grade": "D"}, "CL-INEL-GRADE"),
        ({"tax_rating": "C"}, "CL-INEL-TAX"),
        ({"years_established": 0}, "CL-INEL-NEW"),
    ],
)
def test_credit_loan_ineligible(decide, change, rule) -> None:  # type: ignore[no-untyped-def]
    v = decide("credit-loan", **{**CLEAN, "grade": "A", **change})
    assert (v.outcome, rule_ids(v), v.benefits) == ("INELIGIBLE", [rule], ())


def test_credit_loan_one_full_year_is_enough(decide) -> None:  # type: ignore[no-untyped-def]
    v = decide("credit-loan", **{**CLEAN, "grade": "A", "years_established": 1})
    assert v.outcome == "ELIGIBLE"


def test_credit_loan_without_evaluation_falls_to_default(decide) -> None:  # type: ignore[no-untyped-def]
    v = decide("credit-loan", **CLEAN)
    assert (v.outcome, rule_ids(v)) == ("INELIGIBLE", ["CL-DEFAULT"])


# --- guarantee-fee ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("grade", "tax", "expected"),
    [
        ("A", "M", {"担保费率优惠 50%": 0.5, "免于提供反担保": 1.0}),
        ("B", "A", {"担保费率优惠 30%": 0.3, "免于提供反担保": 1.0}),
        ("B", "B", {"担保费率优惠 30%": 0.3}),
        ("C", "B", {"担保费率优惠 10%": 0.1}),
    ],
)
def test_guarantee_fee_tiers(decide, grade, tax, expected) -> None:  # type: ignore[no-untyped-def]
    v = decide("guarantee-fee", **{**CLEAN, "grade": grade, "tax_rating": tax})
    assert (v.outcome, benefits(v)) == ("ELIGIBLE", expected)


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"grade": "C", "tax_rating": "M"}, "GF-DEFAULT"),
        ({"grade": "E"}, "GF-INEL-GRADE"),
        ({"grade": "A", "tax_rating": "D"}, "GF-INEL-TAX"),
        ({"grade": "A", "dishonest_debtor": True}, "GF-INEL-DISHONEST"),
    ],
)
def test_guarantee_fee_ineligible(decide, change, rule) -> None:  # type: ignore[no-untyped-def]
    v = decide("guarantee-fee", **{**CLEAN, **change})
    assert (v.outcome, rule_ids(v)) == ("INELIGIBLE", [rule])


# --- deposit-waiver --------------------------------------------------------------


@pytest.mark.parametrize(
    ("grade", "red", "outcome", "waiver"),
    [
        ("A", False, "ELIGIBLE", 1.0),
        ("B", True, "ELIGIBLE", 1.0),
        ("B", False, "ELIGIBLE", 0.5),
        ("C", True, "INELIGIBLE", None),
    ],
)
def test_deposit_waiver(decide, grade, red, outcome, waiver) -> None:  # type: ignore[no-untyped-def]
    v = decide("deposit-waiver", **{**CLEAN, "grade": grade, "red_listed": red})
    assert v.outcome == outcome
    assert [b.value for b in v.benefits] == ([waiver] if waiver else [])


def test_deposit_waiver_blocked_by_one_utility_arrear(decide) -> None:  # type: ignore[no-untyped-def]
    v = decide("deposit-waiver", **{**CLEAN, "grade": "A", "utility_arrears": 1})
    assert (v.outcome, rule_ids(v)) == ("INELIGIBLE", ["DW-INEL-ARREARS"])


# --- fast-track-approval ---------------------------------------------------------


def test_fast_track_both_benefits_for_grade_b(decide) -> None:  # type: ignore[no-untyped-def]
    v = decide("fast-track-approval", **{**CLEAN, "grade": "B"})
    assert [(b.code, b.description) for b in v.benefits] == [
        ("FAST_TRACK", "告知承诺制审批"),
        ("FAST_TRACK", "容缺受理"),
    ]


def test_fast_track_grade_c_gets_no_tolerant_acceptance(decide) -> None:  # type: ignore[no-untyped-def]
    # 国办发〔2019〕35号 §一: 容缺受理 for "信用状况较好" (A, B) only
    v = decide("fast-track-approval", **{**CLEAN, "grade": "C"})
    assert (v.outcome, v.benefits, rule_ids(v)) == ("INELIGIBLE", (), ["FT-DEFAULT"])


@pytest.mark.parametrize(
    ("change", "outcome"),
    [
        ({"commitments_breached": 1}, "INELIGIBLE"),
        ({"commitments_breached": 0}, "ELIGIBLE"),
        ({"penalties_ordinary": 1}, "ELIGIBLE"),
        ({"penalties_ordinary": 2}, "INELIGIBLE"),
        ({"grade": "D"}, "INELIGIBLE"),
    ],
)
def test_fast_track_boundaries(decide, change, outcome) -> None:  # type: ignore[no-untyped-def]
    v = decide("fast-track-approval", **{**CLEAN, "grade": "A", **change})
    assert v.outcome == outcome


# --- merchant-discount -----------------------------------------------------------


@pytest.mark.parametrize(
    ("grade", "red", "outcome", "discount"),
    [
        ("A", False, "ELIGIBLE", 0.10),
        ("B", True, "ELIGIBLE", 0.10),
        ("B", False, "ELIGIBLE", 0.05),
        ("C", True, "ELIGIBLE", 0.10),
        ("C", False, "INELIGIBLE", None),
        ("D", True, "INELIGIBLE", None),
    ],
)
def test_merchant_discount(decide, grade, red, outcome, discount) -> None:  # type: ignore[no-untyped-def]
    v = decide("merchant-discount", grade=grade, red_listed=red)
    assert v.outcome == outcome
    assert [b.value for b in v.benefits] == ([discount] if discount else [])


# --- sources, as the policy documents say -----------------------------------------


def _basis(key: str, rule_id: str) -> str:
    from scenarios.registry import ScenarioRegistry

    rules = ScenarioRegistry.from_entry_points().get(key).default_rules()
    found = {r.id: r for r in (*rules.rules, rules.default)}
    return found[rule_id].legal_basis or ""


def test_rules_cite_the_articles_that_say_it() -> None:
    # SPC 2017 Art 8: credit punishment in 融资信贷 (Art 11 is about corrections)
    assert "第八条" in _basis("credit-loan", "CL-INEL-DISHONEST")
    assert "第十一条" not in _basis("credit-loan", "CL-INEL-DISHONEST")
    assert "第八条" in _basis("guarantee-fee", "GF-INEL-DISHONEST")
    # 信易商圈: 平信用〔2021〕1号 §14, not Henan's 2020 plan
    for rule in ("MD-DEFAULT", "MD-A", "MD-B"):
        assert "平信用〔2021〕1号 §14" in _basis("merchant-discount", rule)
        assert "2020" not in _basis("merchant-discount", rule)
    # 容缺受理 for good credit: 35号 §一 "信用状况较好"
    assert "信用状况较好" in _basis("fast-track-approval", "FT-TOLERANT")


def test_the_evaluation_model_names_where_its_scale_comes_from() -> None:
    from pathlib import Path

    import hub.evaluation

    text = (Path(hub.evaluation.__file__).parent / "kaifeng-1000-v1.yaml").read_text(
        encoding="utf-8"
    )
    assert "汴政办〔2020〕46号 §11" in text and "industry" in text
    assert "configuration" in text
