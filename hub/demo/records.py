"""Credit records and list memberships of one synthetic entity.

Each function returns import-format rows (interfaces.md, "Import format")
that pass the importer's checks: publication windows stay within the NDRC
maxima, the BLACK list basis is the case number of a court record, and a
RED tax list membership follows an A rating.  The sources the agency sandbox
serves (tax, courts, market regulation, utilities) are what the sandbox
reports, mapped by the connectors themselves (:func:`agency_rows`), so the
demo data and a later pull agree.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from connectors.records import RecordIn
from connectors.sandbox.records import agency_records
from hub.demo.vocabulary import COMMITMENT_TEXTS, HONOURS
from hub.importer.rows import DISHONEST_KIND, add_months
from hub.rights.court_terms import DISHONEST_LIST

__all__ = ["Subject", "records_for"]

Row = dict[str, Any]

# 最高人民法院关于公布失信被执行人名单信息的若干规定 (2017) Art 1 (一)–(六).
CIRCUMSTANCES = (
    "有履行能力而拒不履行生效法律文书确定义务",
    "以伪造证据、暴力、威胁等方法妨碍、抗拒执行",
    "以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行",
    "违反财产报告制度",
    "违反限制消费令",
    "无正当理由拒不履行执行和解协议",
)
# 纳税缴费信用管理办法 2025; the shares are the demo's plausible mix.
TAX_RATINGS = ("A", "B", "M", "C", "D")
TAX_WEIGHTS = (35, 35, 10, 15, 5)


@dataclass(frozen=True, slots=True)
class Subject:
    """What the record factories need to know about the entity."""

    uscc: str
    city: str
    court: str
    established_on: date
    kind: str


def _record(s: Subject, source: str, source_id: str, **fields: Any) -> Row:
    row: Row = {
        "type": "record",
        "uscc": s.uscc,
        "source": source,
        "source_id": source_id,
    }
    row.update(fields)
    for key in (
        "occurred_on",
        "decided_on",
        "ended_on",
        "publish_from",
        "publish_until",
    ):
        if isinstance(row.get(key), date):
            row[key] = row[key].isoformat()
    return row


def _membership(
    s: Subject,
    kind: str,
    list_name: str,
    basis: str,
    since: date,
    until: date | None,
    source: str,
    record: RecordIn | None = None,
) -> Row:
    row: Row = {
        "type": "list",
        "uscc": s.uscc,
        "kind": kind,
        "list_name": list_name,
        "basis": basis,
        "since": since.isoformat(),
        "until": until.isoformat() if until else None,
        "source": source,
    }
    if record is not None:
        # The list rests on this record: repairing or revoking it ends the
        # membership (平信用〔2021〕1号 §12).
        row["record_source"], row["record_source_id"] = record.source, record.source_id
    return row


def _past_day(rng: random.Random, s: Subject, today: date, max_days: int) -> date:
    earliest = max(s.established_on, today - timedelta(days=max_days))
    span = max((today - earliest).days - 1, 0)
    return earliest + timedelta(days=rng.randint(0, span))


def _row(record: RecordIn) -> Row:
    row: Row = {"type": "record", **record.model_dump(mode="json")}
    return row


def agency_rows(rng: random.Random, s: Subject, today: date) -> list[Row]:
    """Tax, court, market and utility records exactly as the sandbox agencies
    would report them today through the connectors (same ``source_id``), and
    the list memberships they support.

    A demo enterprise pulled later therefore meets one history, not two: the
    pull updates these records instead of adding contradicting ones.
    """
    rows: list[Row] = []
    for record in agency_records(s.uscc, today):
        rows.append(_row(record))
        details = record.details or {}
        until = record.publish_until
        if record.kind == "TAX_RATING" and details.get("rating") == "A":
            assert record.decided_on is not None
            rows.append(
                _membership(
                    s,
                    "RED",
                    "纳税信用A级纳税人名单",
                    f"{details['year']}年度纳税信用A级",
                    record.decided_on,
                    until,
                    record.source,
                )
            )
        elif record.kind == DISHONEST_KIND:
            # SPC 2017: the list entry is the court's case; it ends with the
            # listing (or when the debt is performed).
            listed = date.fromisoformat(str(details["listed_on"]))
            rows.append(
                _membership(
                    s,
                    "BLACK",
                    DISHONEST_LIST,
                    str(details["case_number"]),
                    listed,
                    until,
                    record.source,
                    record,
                )
            )
        elif (
            record.kind == "ADMIN_PENALTY"
            and record.severity != "MINOR"
            and until is not None
            and until >= today
            and rng.random() < 0.6
        ):
            assert record.decided_on is not None
            rows.append(
                _membership(
                    s,
                    "FOCUS",
                    "重点关注名单",
                    str(details["decision_number"]),
                    record.decided_on,
                    until,
                    record.source,
                    record,
                )
            )
    return rows


def social_insurance(
    rng: random.Random, s: Subject, today: date, arrears: bool
) -> list[Row]:
    decided = _past_day(rng, s, today, 365)
    employees = rng.randint(3, 300)
    if not arrears:
        return [
            _record(
                s,
                "social-insurance",
                f"SI-{s.uscc}",
                category="SOCIAL_INSURANCE",
                kind="SOCIAL_INSURANCE_CONTRIBUTION",
                severity="NONE",
                title="社会保险按时足额缴纳",
                authority=f"{s.city}市社会保险中心",
                decided_on=decided,
                publish_from=decided,
                details={"employees": employees, "months_paid": 12},
            )
        ]
    severity = rng.choice(("MINOR", "ORDINARY"))
    return [
        _record(
            s,
            "social-insurance",
            f"SIA-{s.uscc}",
            category="SOCIAL_INSURANCE",
            kind="SOCIAL_INSURANCE_ARREARS",
            severity=severity,
            title="欠缴社会保险费",
            authority=f"{s.city}市社会保险中心",
            decided_on=decided,
            publish_from=decided,
            publish_until=add_months(decided, 3 if severity == "MINOR" else 12),
            details={"employees": employees, "months_owed": rng.randint(1, 6)},
        )
    ]


def honour(rng: random.Random, s: Subject, today: date) -> list[Row]:
    title, body = rng.choice(HONOURS)
    decided = _past_day(rng, s, today, 900)
    until = add_months(decided, 24)
    rows = [
        _record(
            s,
            "honors",
            f"HON-{s.uscc}",
            category="HONOR",
            kind="HONOR_TITLE",
            severity="NONE",
            title=title,
            authority=body,
            decided_on=decided,
            publish_from=decided,
            publish_until=until,
        )
    ]
    if title == "守合同重信用企业":
        rows.append(
            _membership(
                s,
                "RED",
                "守合同重信用企业名单",
                f"{decided:%Y}年度{title}公示",
                decided,
                until,
                "honors",
            )
        )
    return rows


def commitment(rng: random.Random, s: Subject, today: date) -> list[Row]:
    kind, text = rng.choice(sorted(COMMITMENT_TEXTS.items()))
    made = _past_day(rng, s, today, 500)
    return [
        _record(
            s,
            "credit-commitment",
            f"COM-{s.uscc}",
            category="COMMITMENT",
            kind="CREDIT_COMMITMENT",
            severity="NONE",
            title="信用承诺书",
            authority=f"{s.city}市政务服务中心",
            decided_on=made,
            publish_from=made,
            details={
                "commitment_kind": kind,
                "content": text,
                "due_on": (made + timedelta(days=180)).isoformat(),
            },
        )
    ]


def records_for(rng: random.Random, s: Subject, today: date) -> list[Row]:
    """All records and list memberships of one entity, in a stable order."""
    rows = agency_rows(rng, s, today)
    if rng.random() < 0.55:
        rows += social_insurance(rng, s, today, arrears=rng.random() < 0.12)
    if rng.random() < 0.08:
        rows += honour(rng, s, today)
    if rng.random() < 0.30:
        rows += commitment(rng, s, today)
    return rows
