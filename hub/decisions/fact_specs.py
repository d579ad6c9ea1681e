"""The facts a decision table may test, and how they are derived.

Each fact belongs to one data category: a scenario may only use facts of the
categories it declares (and the caller's consent covers), so nothing outside
the consent is ever loaded or tested (DESIGN.md "Minimise at the query").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from hub.enums import DataCategory, EntityKind, Grade, ListKind, RecordStatus, Severity
from hub.evaluation.inputs import EntityData
from hub.evaluation.scoring import full_years
from hub.evaluation.types import EvaluationResult

__all__ = ["FACTS", "FactSpec", "build_facts", "public_facts"]

C = DataCategory


@dataclass(frozen=True, slots=True)
class FactSpec:
    name: str
    type: type  # bool, int or str
    category: DataCategory
    description: str
    values: tuple[str, ...] | None = None  # allowed values of a str fact


_SPECS = (
    FactSpec(
        "grade",
        str,
        C.EVALUATION,
        "公共信用综合评价等级 A–E",
        tuple(g.value for g in Grade),
    ),
    FactSpec("score", int, C.EVALUATION, "公共信用综合评价得分 0–1000"),
    FactSpec(
        "tax_rating", str, C.TAX, "最近纳税缴费信用等级", ("A", "B", "M", "C", "D")
    ),  # = TAX_RATINGS
    FactSpec("penalties_minor", int, C.PENALTY, "有效轻微行政处罚条数"),
    FactSpec("penalties_ordinary", int, C.PENALTY, "有效一般行政处罚条数"),
    FactSpec("penalties_serious", int, C.PENALTY, "有效严重行政处罚条数"),
    FactSpec("focus_listed", bool, C.PENALTY, "列入重点关注名单"),
    FactSpec("dishonest_debtor", bool, C.JUDICIAL, "失信被执行人"),
    FactSpec("utility_arrears", int, C.UTILITIES, "有效公用事业欠费记录条数"),
    FactSpec("social_insurance_arrears", int, C.SOCIAL_INSURANCE, "社保欠缴记录条数"),
    FactSpec("commitments_fulfilled", int, C.COMMITMENT, "已履约信用承诺数"),
    FactSpec("commitments_breached", int, C.COMMITMENT, "违约信用承诺数"),
    FactSpec("honors", int, C.HONOR, "表彰荣誉数"),
    FactSpec("licenses", int, C.LICENSING, "有效行政许可数"),
    # Public information (RED/BLACK lists come with BASIC, interfaces.md).
    FactSpec("black_listed", bool, C.BASIC, "列入严重失信主体名单"),
    FactSpec("red_listed", bool, C.BASIC, "列入守信激励名单"),
    # Counted only over the categories the decision may load (the scenario's,
    # which the consent covers): never a record of another category.
    FactSpec("serious_records", int, C.BASIC, "有效严重失信记录条数（已授权类别内）"),
    FactSpec("years_established", int, C.BASIC, "成立整年数"),
    FactSpec(
        "entity_kind", str, C.BASIC, "主体类型", tuple(k.value for k in EntityKind)
    ),
    FactSpec("disputed_records", int, C.BASIC, "异议处理中的记录数（已授权类别内）"),
)
FACTS: dict[str, FactSpec] = {s.name: s for s in _SPECS}
TAX_RATINGS = ("A", "B", "M", "C", "D")  # 纳税缴费信用管理办法 2025


def public_facts(data: EntityData) -> dict[str, Any]:
    """What a decision without consent rests on: the public lists only
    (国办发〔2019〕35号 §八/§十).  Stored with such a decision, so it holds
    nothing about any record."""
    return {"black_listed": any(m.kind == ListKind.BLACK for m in data.lists)}


def _count(data: EntityData, category: str, **match: Any) -> int:
    return sum(
        1
        for r in data.records
        if r.category == category
        and r.status == RecordStatus.ACTIVE
        and all(getattr(r, k) == v for k, v in match.items())
    )


def build_facts(
    data: EntityData,
    categories: Iterable[DataCategory],
    *,
    today: date,
    evaluation: EvaluationResult | None = None,
) -> dict[str, Any]:
    """Facts of ``categories`` only; ``data`` must hold nothing else.

    Counts use ACTIVE records only: DISPUTED ones are reported through
    ``disputed_records`` and do not count against the entity while the
    objection is open (征信业管理条例 Art 25).
    """
    cats = set(categories)
    recs = data.records
    facts: dict[str, Any] = {}
    if C.EVALUATION in cats and evaluation is not None:
        facts["grade"] = str(evaluation.grade)
        facts["score"] = evaluation.score
    if C.TAX in cats:
        ratings = [r for r in recs if r.kind == "TAX_RATING" and not r.disputed]
        last = max(
            ratings, key=lambda r: (r.decided_on or date.min, r.id), default=None
        )
        rating = (last.details or {}).get("rating") if last else None
        facts["tax_rating"] = rating if rating in TAX_RATINGS else None
    if C.PENALTY in cats:
        for sev in ("minor", "ordinary", "serious"):
            facts[f"penalties_{sev}"] = _count(data, C.PENALTY, severity=sev.upper())
        facts["focus_listed"] = any(m.kind == ListKind.FOCUS for m in data.lists)
    if C.JUDICIAL in cats:
        facts["dishonest_debtor"] = (
            _count(data, C.JUDICIAL, kind="DISHONEST_JUDGMENT_DEBTOR") > 0
        )
    if C.UTILITIES in cats:
        facts["utility_arrears"] = sum(
            1
            for r in recs
            if r.category == C.UTILITIES
            and r.severity != Severity.NONE
            and r.status == RecordStatus.ACTIVE
        )
    if C.SOCIAL_INSURANCE in cats:
        facts["social_insurance_arrears"] = sum(
            1
            for r in recs
            if r.category == C.SOCIAL_INSURANCE
            and r.severity != Severity.NONE
            and r.status == RecordStatus.ACTIVE
        )
    if C.COMMITMENT in cats:
        status = [
            (r.details or {}).get("status")
            for r in recs
            if r.kind in ("CREDIT_COMMITMENT", "COMMITMENT_BREACH")
            and r.status == RecordStatus.ACTIVE
        ]
        facts["commitments_fulfilled"] = status.count("FULFILLED")
        facts["commitments_breached"] = status.count("BREACHED")
    if C.HONOR in cats:
        facts["honors"] = _count(data, C.HONOR)
    if C.LICENSING in cats:
        facts["licenses"] = _count(data, C.LICENSING, severity=Severity.NONE)
    if C.BASIC in cats:
        facts.update(public_facts(data))
        facts["serious_records"] = sum(
            1
            for r in recs
            if r.severity == Severity.SERIOUS
            and r.status == RecordStatus.ACTIVE
            and r.category in cats
        )
        facts["red_listed"] = any(m.kind == ListKind.RED for m in data.lists)
        facts["years_established"] = (
            full_years(data.established_on, today) if data.established_on else None
        )
        facts["entity_kind"] = data.kind
        facts["disputed_records"] = sum(
            1
            for r in recs
            if r.status == RecordStatus.DISPUTED and DataCategory(r.category) in cats
        )
    return facts
