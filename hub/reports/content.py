"""What a credit report says: the canonical document, built from loaded rows.

Sections map to what they show (``SECTION_CATEGORIES``).  Records are those
decided (or, failing a decision date, that occurred) within the period and
still published today: ACTIVE ones, DISPUTED ones marked 异议处理中, and
REPAIRED ones marked 已修复 — repaired, not hidden (信用修复管理办法).
EXPIRED and REVOKED records are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from hub.clock import utc
from hub.enums import DataCategory, RecordStatus, ReportSection
from hub.evaluation.types import EvaluationResult
from hub.models import CreditRecord, Entity, ListMembership

__all__ = [
    "MARKS",
    "RECORD_SECTIONS",
    "REPORT_STATUSES",
    "SECTION_CATEGORIES",
    "SECTION_TITLES",
    "categories_of",
    "compose",
]

S, C = ReportSection, DataCategory
SECTION_CATEGORIES: dict[ReportSection, frozenset[DataCategory]] = {
    S.BASIC: frozenset({C.BASIC}),
    S.LICENSING: frozenset({C.LICENSING}),
    S.PENALTY: frozenset({C.PENALTY}),
    S.JUDICIAL: frozenset({C.JUDICIAL}),
    S.TAX: frozenset({C.TAX}),
    # RED, BLACK and WHITE lists come with BASIC, FOCUS with PENALTY.
    S.LISTS: frozenset({C.BASIC, C.PENALTY}),
    S.EVALUATION: frozenset({C.EVALUATION}),
    S.COMMITMENT: frozenset({C.COMMITMENT}),
    S.HONOR: frozenset({C.HONOR}),
}
RECORD_SECTIONS = {
    S.LICENSING: "LICENSING",
    S.PENALTY: "PENALTY",
    S.JUDICIAL: "JUDICIAL",
    S.TAX: "TAX",
    S.COMMITMENT: "COMMITMENT",
    S.HONOR: "HONOR",
}
SECTION_TITLES = {
    S.BASIC: "基本信息",
    S.LICENSING: "行政许可",
    S.PENALTY: "行政处罚",
    S.JUDICIAL: "司法信息",
    S.TAX: "纳税信用",
    S.LISTS: "红黑名单及其他名单",
    S.EVALUATION: "公共信用综合评价",
    S.COMMITMENT: "信用承诺",
    S.HONOR: "表彰荣誉",
}
REPORT_STATUSES = (
    RecordStatus.ACTIVE.value,
    RecordStatus.DISPUTED.value,
    RecordStatus.REPAIRED.value,
)
MARKS = {
    RecordStatus.ACTIVE.value: None,
    RecordStatus.DISPUTED.value: "异议处理中",
    RecordStatus.REPAIRED.value: "已修复",
}


def categories_of(sections: Iterable[ReportSection]) -> frozenset[DataCategory]:
    out: set[DataCategory] = set()
    for s in sections:
        out |= SECTION_CATEGORIES[s]
    return frozenset(out)


def _day(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _record(r: CreditRecord) -> dict[str, Any]:
    return {
        "id": str(r.id),
        "kind": r.kind,
        "title": r.title,
        "authority": r.authority,
        "severity": r.severity,
        "status": r.status,
        "mark": MARKS.get(r.status),
        "decidedOn": _day(r.decided_on or r.occurred_on),
        "publishUntil": _day(r.publish_until),
        "source": r.source,
        "sourceId": r.source_id,
    }


def _membership(m: ListMembership) -> dict[str, Any]:
    return {
        "kind": m.kind,
        "listName": m.list_name,
        "basis": m.basis,
        "since": _day(m.since),
        "until": _day(m.until),
    }


def _entity(e: Entity, full: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"uscc": e.uscc, "name": e.name}
    if full:
        out.update(
            kind=e.kind,
            regionCode=e.region_code,
            industryCode=e.industry_code,
            establishedOn=_day(e.established_on),
            registeredCapital=e.registered_capital,
            legalRepresentative=e.legal_representative,
            status=e.status,
        )
    return out


def compose(
    *,
    report_id: str,
    issuer: str,
    issued_at: datetime,
    entity: Entity,
    period: tuple[date, date],
    purpose: str,
    sections: Sequence[ReportSection],
    records: Sequence[CreditRecord],
    lists: Sequence[ListMembership],
    evaluation: EvaluationResult | None,
) -> dict[str, Any]:
    """The report as signed: plain JSON values only."""
    at = utc(issued_at)
    doc: dict[str, Any] = {
        "typ": "credit-report",
        "v": 1,
        "id": report_id,
        "iss": issuer,
        "iat": int(at.timestamp()),
        "issuedAt": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "subject": _entity(entity, S.BASIC in sections),
        "period": {"from": period[0].isoformat(), "to": period[1].isoformat()},
        "purpose": purpose,
        "sections": [str(s) for s in sections],
    }
    chosen = {RECORD_SECTIONS[s]: s for s in sections if s in RECORD_SECTIONS}
    if chosen:
        doc["records"] = {
            str(s): [_record(r) for r in records if r.category == category]
            for category, s in chosen.items()
        }
    if S.LISTS in sections:
        doc["lists"] = [_membership(m) for m in lists]
    if S.EVALUATION in sections and evaluation is not None:
        doc["evaluation"] = {
            "score": evaluation.score,
            "grade": str(evaluation.grade),
            "model": evaluation.model_version,
            "evaluatedAt": utc(evaluation.evaluated_at).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    return doc
