"""Apply an :class:`EvaluationModel` to an entity's countable data.

Pure: no I/O, no clock — ``today`` and ``now`` are passed in.  The result
always satisfies ``base_score + sum(impacts) == score``: clamping to the
0–max range and grade caps are factors too.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from hub.enums import Grade, ListKind, RecordStatus, Severity
from hub.evaluation.inputs import EntityData, RecordView
from hub.evaluation.model import (
    AgeIndicator,
    CountIndicator,
    EvaluationModel,
    LatestIndicator,
    ListIndicator,
)
from hub.evaluation.types import EvaluationResult, Factor

__all__ = ["evaluate", "full_years", "grade_for", "max_score_for"]

GRADES: tuple[Grade, ...] = (Grade.A, Grade.B, Grade.C, Grade.D)
DISPUTE_NOTE = "处于异议处理中，暂不扣分（征信业管理条例第二十五条）"


def grade_for(score: int, thresholds: Mapping[str, int]) -> Grade:
    """A ≥ thresholds["A"], B ≥ thresholds["B"], … else E."""
    for grade in GRADES:
        if score >= thresholds[grade]:
            return grade
    return Grade.E


def max_score_for(grade: Grade, thresholds: Mapping[str, int], top: int) -> int:
    """Highest score that still grades no better than ``grade``."""
    order = [*GRADES, Grade.E]
    better = order.index(grade) - 1
    return top if better < 0 else thresholds[order[better]] - 1


def full_years(since: date, today: date) -> int:
    years = today.year - since.year
    if (today.month, today.day) < (since.month, since.day):
        years -= 1
    return max(years, 0)


def _count(ind: CountIndicator, recs: list[RecordView]) -> list[Factor]:
    # 征信业管理条例 Art 25: a disputed record is marked and, here, does not
    # lower the score until the objection is resolved.
    held = [r for r in recs if r.disputed and ind.points < 0]
    used = [r for r in recs if not (r.disputed and ind.points < 0)]
    out: list[Factor] = []
    if used:
        counted = min(len(used), ind.max_count or len(used))
        text = ind.description.format(
            count=len(used), counted=counted, points=ind.points
        )
        out.append(Factor(ind.code, text, counted * ind.points))
    if held:
        out.append(
            Factor(f"{ind.code}_DISPUTED", f"{len(held)} 条记录{DISPUTE_NOTE}", 0)
        )
    return out


def _latest(ind: LatestIndicator, recs: list[RecordView]) -> list[Factor]:
    if not recs:
        return []
    last = max(recs, key=lambda r: (r.decided_on or date.min, r.id))
    value = str((last.details or {}).get(ind.field, ""))
    if value not in ind.points:
        return []
    points = ind.points[value]
    if last.disputed and points < 0:
        return [
            Factor(
                f"{ind.code}_DISPUTED",
                f"{ind.description.format(value=value)}{DISPUTE_NOTE}",
                0,
            )
        ]
    return [Factor(ind.code, ind.description.format(value=value), points)]


def evaluate(
    data: EntityData,
    model: EvaluationModel,
    thresholds: Mapping[str, int],
    *,
    today: date,
    now: datetime,
) -> EvaluationResult:
    """Score ``data`` under ``model``; every point is explained by a factor."""
    record_inds = [
        i for i in model.indicators if isinstance(i, CountIndicator | LatestIndicator)
    ]
    groups: dict[str, list[RecordView]] = {i.code: [] for i in record_inds}
    for rec in data.records:
        for r_ind in record_inds:
            if r_ind.match.matches(rec.category, rec.kind, rec.severity, rec.details):
                groups[r_ind.code].append(rec)
                break

    factors: list[Factor] = []
    for ind in model.indicators:
        if isinstance(ind, CountIndicator):
            factors += _count(ind, groups[ind.code])
        elif isinstance(ind, LatestIndicator):
            factors += _latest(ind, groups[ind.code])
        elif isinstance(ind, ListIndicator):
            names = [m.list_name for m in data.lists if m.kind == ind.list_kind]
            if names:
                text = ind.description.format(names="、".join(sorted(set(names))))
                factors.append(Factor(ind.code, text, ind.points))
        elif isinstance(ind, AgeIndicator) and data.established_on is not None:
            years = full_years(data.established_on, today)
            counted = min(years, ind.max_years)
            if counted > 0:
                text = ind.description.format(years=years, counted=counted)
                factors.append(Factor(ind.code, text, counted * ind.points_per_year))

    score = model.base_score + sum(f.impact for f in factors)
    if score > model.max_score:
        factors.append(
            Factor(
                "SCORE_CEILING", f"总分上限 {model.max_score}", model.max_score - score
            )
        )
        score = model.max_score
    elif score < 0:
        factors.append(Factor("SCORE_FLOOR", "总分下限 0", -score))
        score = 0

    black = any(m.kind == ListKind.BLACK for m in data.lists)
    serious = any(
        r.severity == Severity.SERIOUS and r.status == RecordStatus.ACTIVE
        for r in data.records
    )
    for cap in model.caps:
        if (cap.when == "black_list" and black) or (
            cap.when == "serious_record" and serious
        ):
            limit = max_score_for(cap.max_grade, thresholds, model.max_score)
            impact = min(0, limit - score)
            factors.append(Factor(cap.code, cap.description, impact))
            score += impact

    return EvaluationResult(
        uscc=data.uscc,
        score=score,
        grade=grade_for(score, thresholds),
        model_version=model.model_version,
        evaluated_at=now,
        base_score=model.base_score,
        factors=tuple(factors),
    )
