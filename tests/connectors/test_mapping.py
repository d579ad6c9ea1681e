"""Each built-in connector maps its agency's answer, fetched over HTTP, to records."""

from __future__ import annotations

from datetime import date

import pytest

from connectors.errors import MalformedPayload
from connectors.protocol import EntityRef, FetchContext
from connectors.registry import ConnectorRegistry
from connectors.sandbox import data
from hub.clock import FrozenClock
from hub.enums import DataCategory, RecordStatus, Severity
from tests.connectors.conftest import SANDBOX_DAY, find_uscc


async def fetch(registry, clock, name, uscc, categories=None):  # type: ignore[no-untyped-def]
    connector = registry[name]
    cats = categories if categories is not None else connector.categories
    return await connector.fetch(
        EntityRef(uscc), cats, FetchContext(registry.http, clock)
    )


async def test_tax_grade_d_is_ordinary_negative_information(
    registry: ConnectorRegistry, clock: FrozenClock
) -> None:
    # given an enterprise the tax bureau rated D (not for serious dishonesty)
    uscc = find_uscc(
        lambda u: (
            (r := data.tax_answer(u, SANDBOX_DAY)["ratings"][1])["rating"] == "D"
            and not r["serious_dishonesty"]
        )
    )
    rating = data.tax_answer(uscc, SANDBOX_DAY)["ratings"][1]
    # when fetched
    records = await fetch(registry, clock, "henan-tax", uscc)
    # then the latest grade is an ORDINARY TAX_RATING published for a year
    latest = records[1]
    assert latest.model_dump(exclude={"details"}) == {
        "uscc": uscc,
        "source": "henan-tax",
        "source_id": rating["rating_id"],
        "category": DataCategory.TAX,
        "kind": "TAX_RATING",
        "severity": Severity.ORDINARY,
        "status": None,
        "title": "2025年度纳税信用等级 D",
        "authority": "国家税务总局河南省税务局",
        "occurred_on": date(2025, 12, 31),
        "decided_on": date(2026, 4, 1),
        "ended_on": None,
        "publish_from": date(2026, 4, 1),
        "publish_until": date(2027, 4, 1),
    }
    assert latest.details == {
        "rating": "D",
        "year": 2025,
        "score": rating["score"],
        "serious_dishonesty": False,
    }
    assert records[0].title == "2024年度纳税信用等级 " + records[0].details["rating"]


async def test_tax_grade_a_is_not_negative(
    registry: ConnectorRegistry, clock: FrozenClock
) -> None:
    uscc = find_uscc(
        lambda u: data.tax_answer(u, SANDBOX_DAY)["ratings"][1]["rating"] == "A"
    )
    records = await fetch(registry, clock, "henan-tax", uscc)
    assert (records[1].severity, records[1].details["rating"]) == (Severity.NONE, "A")


async def test_dishonest_debtor_listed_for_two_years(
    registry: ConnectorRegistry, clock: FrozenClock
) -> None:
    def open_case(u: str) -> bool:
        cases = data.court_answer(u, SANDBOX_DAY)["cases"]
        return (
            len(cases) == 1
            and not cases[0]["performed_on"]
            and not cases[0]["extension"]
            and not cases[0]["circumstance"].startswith("有履行能力")
        )

    uscc = find_uscc(open_case)
    case = data.court_answer(uscc, SANDBOX_DAY)["cases"][0]
    [record] = await fetch(registry, clock, "court-dishonest", uscc)
    listed = date.fromisoformat(case["listed_on"])
    assert record.source_id == case["case_number"]
    assert (record.category, record.kind, record.severity, record.status) == (
        DataCategory.JUDICIAL,
        "DISHONEST_JUDGMENT_DEBTOR",
        Severity.SERIOUS,
        None,
    )
    assert (
        record.title == f"失信被执行人（{case['case_number']}）：{case['circumstance']}"
    )
    assert record.authority == case["court"]
    assert (record.decided_on, record.publish_from) == (listed, listed)
    assert record.publish_until == listed.replace(year=listed.year + 2)
    assert record.details["obligation"] == case["obligation"]


async def test_able_but_unwilling_debtor_has_no_fixed_term(
    registry: ConnectorRegistry, clock: FrozenClock
) -> None:
    # SPC 2017 Art 1 (一) 有履行能力而拒不履行: listed until performed (Art 10)
    def able_but_unwilling(u: str) -> bool:
        cases = data.court_answer(u, SANDBOX_DAY)["cases"]
        return (
            len(cases) == 1
            and not cases[0]["performed_on"]
            and cases[0]["circumstance"].startswith("有履行能力")
        )

    uscc = find_uscc(able_but_unwilling)
    [record] = await fetch(registry, clock, "court-dishonest", uscc)
    assert (record.status, record.publish_until, record.ended_on) == (None, None, None)
    assert record.details["circumstance"].startswith("有履行能力而拒不履行")


async def test_performed_debt_is_no_longer_active(
    registry: ConnectorRegistry, clock: FrozenClock
) -> None:
    uscc = find_uscc(
        lambda u: any(
            c["performed_on"] for c in data.court_answer(u, SANDBOX_DAY)["cases"]
        )
    )
    records = await fetch(registry, clock, "court-dishonest", uscc)
    performed = [r for r in records if r.details["performance"] == "全部履行"]
    assert performed, "the sandbox answer has a performed case"
    for r in performed:
        assert r.status is RecordStatus.EXPIRED
        assert r.publish_until == r.ended_on is not None


async def test_extended_listing_runs_to_the_extension(
    registry: ConnectorRegistry, clock: FrozenClock
) -> None:
    uscc = find_uscc(
        lambda u: any(
            c["extension"] for c in data.court_answer(u, SANDBOX_DAY)["cases"]
        )
    )
    cases = {c["case_number"]: c for c in data.court_answer(uscc, SANDBOX_DAY)["cases"]}
    for r in await fetch(registry, clock, "court-dishonest", uscc):
        ext = cases[r.source_id]["extension"]
        if ext:
            assert r.publish_until == date.fromisoformat(ext["until"])
            assert r.decided_on == date.fromisoformat(ext["decided_on"])


async def test_market_penalties_by_class_and_licences(
    registry: ConnectorRegistry, clock: FrozenClock
) -> None:
    uscc = find_uscc(
        lambda u: any(
            p["penalty_class"] == "一般"
            for p in data.market_answer(u, SANDBOX_DAY, {"penalty"})["penalties"]
        )
    )
    answer = data.market_answer(uscc, SANDBOX_DAY, {"license", "penalty"})
    records = await fetch(registry, clock, "market-regulation", uscc)
    by_id = {r.source_id: r for r in records}
    assert sorted(by_id) == sorted(
        [f"L:{x['decision_number']}" for x in answer["licenses"]]
        + [f"P:{x['decision_number']}" for x in answer["penalties"]]
    )
    pen = next(p for p in answer["penalties"] if p["penalty_class"] == "一般")
    rec = by_id[f"P:{pen['decision_number']}"]
    decided = date.fromisoformat(pen["decided_on"])
    assert (rec.category, rec.kind, rec.severity) == (
        DataCategory.PENALTY,
        "ADMIN_PENALTY",
        Severity.ORDINARY,
    )
    # 信用修复管理办法: ORDINARY at most one year from the decision.
    assert rec.publish_until == decided.replace(year=decided.year + 1)
    lic = answer["licenses"][0]
    assert by_id[f"L:{lic['decision_number']}"].publish_until == date.fromisoformat(
        lic["valid_until"]
    )


async def test_market_asks_only_for_consented_categories(
    registry: ConnectorRegistry, clock: FrozenClock
) -> None:
    uscc = find_uscc(
        lambda u: bool(data.market_answer(u, SANDBOX_DAY, {"penalty"})["penalties"])
    )
    records = await fetch(
        registry, clock, "market-regulation", uscc, frozenset({DataCategory.LICENSING})
    )
    assert {r.category for r in records} == {DataCategory.LICENSING}


async def test_utility_arrears_severity_by_amount_and_months(
    registry: ConnectorRegistry, clock: FrozenClock
) -> None:
    uscc = find_uscc(
        lambda u: any(
            a["months_overdue"] for a in data.utility_answer(u, SANDBOX_DAY)["accounts"]
        )
    )
    accounts = [
        a
        for a in data.utility_answer(uscc, SANDBOX_DAY)["accounts"]
        if a["months_overdue"]
    ]
    records = await fetch(registry, clock, "utilities", uscc)
    assert len(records) == len(accounts)
    for acc, rec in zip(accounts, records, strict=True):
        ordinary = acc["arrears_amount"] >= 10_000 or acc["months_overdue"] >= 3
        assert rec.severity is (Severity.ORDINARY if ordinary else Severity.MINOR)
        assert rec.source_id == (
            f"{acc['utility']}:{acc['account_no']}:{acc['overdue_since']}"
        )
        assert rec.details["arrears_amount"] == acc["arrears_amount"]
        assert rec.publish_until == (
            date(2027, 11, 1) if ordinary else date(2027, 2, 1)
        )


def test_utility_threshold_edges() -> None:
    from connectors.utilities import arrears_severity

    assert arrears_severity(9_999.99, 2) is Severity.MINOR
    assert arrears_severity(10_000, 1) is Severity.ORDINARY
    assert arrears_severity(500, 3) is Severity.ORDINARY


@pytest.mark.parametrize(
    ("rating", "score", "serious", "m_basis", "ok"),
    [
        ("A", 90.0, False, None, True),
        ("A", 89.9, False, None, False),
        ("C", 40.0, False, None, True),
        ("D", 75.0, True, None, True),
        ("D", 75.0, False, None, False),
        ("B", None, False, None, False),
        # 纳税缴费信用管理办法 2025: serious dishonesty is rated D, never A
        ("A", 95.0, True, None, False),
        # M only for a new taxpayer or one without revenue (score ≥ 70)
        ("M", None, False, None, False),
        ("M", None, False, "NEW", True),
        ("M", 70.0, False, "NO_REVENUE", True),
        ("M", 69.9, False, "NO_REVENUE", False),
    ],
)
def test_tax_grade_must_match_its_score(
    rating: str, score: float | None, serious: bool, m_basis: str | None, ok: bool
) -> None:
    from connectors.tax import TaxRating, TaxRatingConnector

    connector = TaxRatingConnector()
    r = TaxRating(
        rating_id="HA-1",
        year=2025,
        rating=rating,
        score=score,  # type: ignore[arg-type]
        evaluated_on=date(2026, 4, 1),
        serious_dishonesty=serious,
        m_basis=m_basis,  # type: ignore[arg-type]
    )
    body = (
        '{"uscc": "91350100M000100Y43", "taxpayer_name": "x", "authority": "y", '
        f'"ratings": [{r.model_dump_json()}]}}'
    )
    entity = EntityRef("91350100M000100Y43")
    if ok:
        assert len(connector._parse(entity, body, connector.categories)) == 1
    else:
        with pytest.raises(MalformedPayload, match="cannot map the answer"):
            connector._parse(entity, body, connector.categories)


def _court_case(circumstance: str, until: str | None) -> str:
    extension = (
        f'{{"decided_on": "2025-02-20", "until": "{until}"}}' if until else "null"
    )
    return (
        '{"uscc": "91350100M000100Y43", "name": "x", "cases": [{'
        '"case_number": "（2023）豫01执1号", "court": "郑州市中级人民法院", '
        f'"basis_document": "d", "obligation": "o", "circumstance": "{circumstance}", '
        '"performance": "全部未履行", "filed_on": "2023-01-01", '
        f'"listed_on": "2023-03-01", "extension": {extension}}}]}}'
    )


def _parse_court(body: str):  # type: ignore[no-untyped-def]
    from connectors.courts import DishonestDebtorConnector

    return DishonestDebtorConnector()._parse(
        EntityRef("91350100M000100Y43"), body, frozenset({DataCategory.JUDICIAL})
    )


def test_extension_beyond_three_years_is_refused() -> None:
    with pytest.raises(MalformedPayload, match="one to three years past 2025-03-01"):
        _parse_court(_court_case("违反财产报告制度", "2028-03-02"))
    with pytest.raises(MalformedPayload, match="one to three years past 2025-03-01"):
        _parse_court(_court_case("违反财产报告制度", "2026-02-28"))


def test_a_three_year_extension_is_not_capped_by_the_first_window() -> None:
    # SPC 2017 Art 2: 2 years + 3 years of extension, from the court's own
    # decision — beyond 信用修复管理办法's 3-year SERIOUS window of the listing
    [record] = _parse_court(_court_case("违反限制消费令", "2028-03-01"))
    assert record.publish_until == date(2028, 3, 1)
    [record] = _parse_court(_court_case("违反限制消费令", "2026-03-01"))
    assert record.publish_until == date(2026, 3, 1)


def test_circumstance_one_has_no_term_to_extend() -> None:
    with pytest.raises(MalformedPayload, match="no fixed term to extend"):
        _parse_court(
            _court_case("有履行能力而拒不履行生效法律文书确定义务", "2027-03-01")
        )
    [record] = _parse_court(
        _court_case("有履行能力而拒不履行生效法律文书确定义务", None)
    )
    assert record.publish_until is None


def test_an_unknown_circumstance_is_refused() -> None:
    with pytest.raises(MalformedPayload, match="none of SPC 2017 Art 1"):
        _parse_court(_court_case("拖欠工资", None))
