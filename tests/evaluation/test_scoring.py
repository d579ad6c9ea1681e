"""The kaifeng-1000-v1 model on hand-built entity data."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from hub.enums import Grade
from hub.errors import HubError
from hub.evaluation import EntityData, ListView, RecordView, default_model, evaluate
from hub.evaluation.model import parse_model
from hub.evaluation.scoring import grade_for

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
THRESHOLDS = {"A": 850, "B": 700, "C": 550, "D": 400}
USCC = "91350100M000100Y43"


def rec(
    i: int,
    category: str,
    kind: str,
    severity: str = "NONE",
    status: str = "ACTIVE",
    decided: date | None = None,
    **details: object,
) -> RecordView:
    return RecordView(i, category, kind, severity, status, decided, details or None)


def run(
    *records: RecordView,
    lists: tuple[ListView, ...] = (),
    established: date | None = None,
):
    data = EntityData(USCC, established_on=established, records=records, lists=lists)
    return evaluate(data, default_model(), THRESHOLDS, today=TODAY, now=NOW)


def impacts(result) -> dict[str, int]:
    return {f.code: f.impact for f in result.factors}


def test_entity_without_data_scores_the_base() -> None:
    result = run()
    assert (result.score, result.grade, result.factors) == (600, Grade.C, ())
    assert result.model_version == "kaifeng-1000-v1"


def test_good_taxpayer_with_history_reaches_a_and_factors_add_up() -> None:
    # given 8 full years, tax A and two licences
    result = run(
        rec(1, "TAX", "TAX_RATING", decided=date(2026, 4, 1), rating="A"),
        rec(2, "LICENSING", "ADMIN_LICENSE"),
        rec(3, "LICENSING", "ADMIN_LICENSE"),
        established=date(2018, 3, 2),
    )
    assert impacts(result) == {
        "ESTABLISHED_YEARS": 80,
        "TAX_RATING": 150,
        "LICENSES": 20,
    }
    assert result.score == 850 and result.grade is Grade.A
    assert result.base_score + sum(f.impact for f in result.factors) == result.score


def test_latest_tax_rating_wins() -> None:
    result = run(
        rec(1, "TAX", "TAX_RATING", decided=date(2025, 4, 1), rating="A"),
        rec(2, "TAX", "TAX_RATING", decided=date(2026, 4, 1), rating="C"),
    )
    assert impacts(result) == {"TAX_RATING": -100}
    assert result.score == 500 and result.grade is Grade.D


def test_established_years_count_full_years_only() -> None:
    assert impacts(run(established=date(2016, 11, 24))) == {"ESTABLISHED_YEARS": 90}
    assert impacts(run(established=date(2001, 1, 1))) == {"ESTABLISHED_YEARS": 100}


def test_penalties_are_capped_per_indicator() -> None:
    minors = [rec(i, "PENALTY", "ADMIN_PENALTY", "MINOR") for i in range(7)]
    result = run(*minors)
    assert impacts(result) == {"PENALTY_MINOR": -100}
    assert result.factors[0].description.startswith("轻微失信行政处罚 7 条（计 5 条")


def test_black_list_caps_the_grade_at_d_with_a_factor() -> None:
    # given an otherwise excellent entity on the BLACK list
    lists = (
        ListView("BLACK", "失信被执行人名单", "（2025）豫01执123号", date(2025, 6, 1)),
    )
    result = run(
        rec(1, "TAX", "TAX_RATING", rating="A"),
        rec(2, "HONOR", "HONOR", "NONE"),
        rec(3, "HONOR", "HONOR", "NONE"),
        rec(4, "HONOR", "HONOR", "NONE"),
        lists=lists,
        established=date(2000, 1, 1),
    )
    # 600 + 100 + 150 + 90 - 300 = 640 → capped at 549 (C threshold - 1)
    assert impacts(result) == {
        "ESTABLISHED_YEARS": 100,
        "TAX_RATING": 150,
        "HONORS": 90,
        "BLACK_LIST": -300,
        "CAP_BLACK_LIST": -91,
    }
    assert (result.score, result.grade) == (549, Grade.D)


def test_active_serious_record_caps_even_if_score_is_high() -> None:
    result = run(
        rec(1, "TAX", "TAX_RATING", rating="A"),
        rec(2, "PENALTY", "ADMIN_PENALTY", "SERIOUS"),
        lists=(ListView("RED", "A级纳税人", "税务", date(2026, 4, 1)),),
        established=date(2000, 1, 1),
    )
    # 600 + 100 + 150 - 250 + 60 = 660 → capped to 549
    assert impacts(result)["CAP_SERIOUS_RECORD"] == -111
    assert (result.score, result.grade) == (549, Grade.D)


def test_cap_below_limit_is_shown_with_zero_impact() -> None:
    result = run(rec(1, "JUDICIAL", "DISHONEST_JUDGMENT_DEBTOR", "SERIOUS"))
    assert impacts(result) == {
        "DISHONEST_JUDGMENT_DEBTOR": -300,
        "CAP_SERIOUS_RECORD": 0,
    }
    assert (result.score, result.grade) == (300, Grade.E)


def test_disputed_negative_records_do_not_lower_the_score() -> None:
    # 征信业管理条例 Art 25: shown as disputed, not scored while the objection is open
    result = run(
        rec(1, "PENALTY", "ADMIN_PENALTY", "SERIOUS", status="DISPUTED"),
        rec(2, "PENALTY", "ADMIN_PENALTY", "ORDINARY"),
        rec(3, "TAX", "TAX_RATING", status="DISPUTED", rating="D"),
    )
    assert impacts(result) == {
        "PENALTY_SERIOUS_DISPUTED": 0,
        "PENALTY_ORDINARY": -80,
        "TAX_RATING_DISPUTED": 0,
    }
    assert result.score == 520
    # and a disputed SERIOUS record does not cap either
    assert not any(f.code.startswith("CAP_") for f in result.factors)


def test_commitments_count_by_status() -> None:
    result = run(rec(1, "COMMITMENT", "CREDIT_COMMITMENT"))
    # a commitment without a FULFILLED/BREACHED status is shown, not scored
    assert impacts(result) == {"COMMITMENT_OTHER": 0}
    fulfilled = [
        RecordView(
            i,
            "COMMITMENT",
            "CREDIT_COMMITMENT",
            "NONE",
            "ACTIVE",
            None,
            {"status": "FULFILLED"},
        )
        for i in range(2)
    ]
    breached = RecordView(
        9,
        "COMMITMENT",
        "CREDIT_COMMITMENT",
        "ORDINARY",
        "ACTIVE",
        None,
        {"status": "BREACHED"},
    )
    result = run(*fulfilled, breached)
    assert impacts(result) == {"COMMITMENT_FULFILLED": 20, "COMMITMENT_BREACHED": -60}
    assert result.score == 560


def test_score_is_clamped_to_the_scale_with_a_factor() -> None:
    high = run(
        rec(1, "TAX", "TAX_RATING", rating="A"),
        *[rec(i, "HONOR", "HONOR") for i in range(2, 5)],
        *[rec(i, "LICENSING", "L") for i in range(5, 10)],
        lists=(ListView("RED", "红名单", "b", date(2026, 1, 1)),),
        established=date(2000, 1, 1),
    )
    assert high.score == 1000
    assert impacts(high)["SCORE_CEILING"] == -50  # 600+100+150+90+50+60 = 1050
    low = run(
        *[rec(i, "JUDICIAL", "DISHONEST_JUDGMENT_DEBTOR", "SERIOUS") for i in range(2)],
        *[rec(i, "PENALTY", "P", "SERIOUS") for i in range(2, 4)],
        rec(5, "TAX", "TAX_RATING", rating="D"),
    )
    assert low.score == 0
    assert low.base_score + sum(f.impact for f in low.factors) == 0


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        (1000, "A"),
        (850, "A"),
        (849, "B"),
        (700, "B"),
        (699, "C"),
        (550, "C"),
        (549, "D"),
        (400, "D"),
        (399, "E"),
        (0, "E"),
    ],
)
def test_default_grade_thresholds(score: int, grade: str) -> None:
    assert grade_for(score, THRESHOLDS) == grade


def test_thresholds_are_configuration() -> None:
    assert grade_for(800, {"A": 800, "B": 650, "C": 500, "D": 300}) == "A"


def test_bad_model_file_is_rejected_naming_the_place() -> None:
    raw = {
        "model_version": "x",
        "standard": "s",
        "base_score": 600,
        "indicators": [
            {
                "type": "count",
                "code": "X",
                "description": "d",
                "match": {"kind": "A"},
                "points": 1,
            }
        ],
    }
    with pytest.raises(HubError) as err:
        parse_model(raw)
    assert err.value.code == "VALIDATION_ERROR"
    assert "indicators.0.count.match.kind" in err.value.message
