"""Credit records and list memberships of one synthetic entity.

Each function returns import-format rows (interfaces.md, "Import format")
that pass the importer's checks: publication windows stay within the NDRC
maxima, the BLACK list basis is the case number of a court record, and a
RED tax list membership follows an A rating.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from hub.demo.vocabulary import (
    COMMITMENT_TEXTS,
    HONOURS,
    LICENCES,
    PENALTY_CAUSES,
)
from hub.importer.rows import add_months
from hub.rights.court_terms import DISHONEST_LIST, circumstance_of, term_end

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
) -> Row:
    return {
        "type": "list",
        "uscc": s.uscc,
        "kind": kind,
        "list_name": list_name,
        "basis": basis,
        "since": since.isoformat(),
        "until": until.isoformat() if until else None,
        "source": source,
    }


def _past_day(rng: random.Random, s: Subject, today: date, max_days: int) -> date:
    earliest = max(s.established_on, today - timedelta(days=max_days))
    span = max((today - earliest).days - 1, 0)
    return earliest + timedelta(days=rng.randint(0, span))


def tax_ratings(rng: random.Random, s: Subject, today: date) -> list[Row]:
    """One rating a year, published on 1 April and valid for a year."""
    rows: list[Row] = []
    previous: str | None = None
    for year in range(max(s.established_on.year, today.year - 5), today.year):
        decided = date(year + 1, 4, 1)
        if decided > today:
            break
        new_taxpayer = previous is None and s.established_on.year == year
        if new_taxpayer:
            rating = "M"  # new taxpayer in its first year
        elif previous is not None and rng.random() < 0.6:
            rating = previous
        else:
            rating = rng.choices(TAX_RATINGS, TAX_WEIGHTS)[0]
        previous = rating
        details: dict[str, Any] = {"rating": rating, "year": year}
        if rating == "M":
            # 纳税缴费信用管理办法 2025: M only for new or no-revenue taxpayers.
            details["m_basis"] = "NEW" if new_taxpayer else "NO_REVENUE"
        until = date(year + 2, 3, 31)
        rows.append(
            _record(
                s,
                "henan-tax",
                f"TAX-{s.uscc}-{year}",
                category="TAX",
                kind="TAX_RATING",
                severity="NONE",
                title=f"{year}年度纳税信用等级 {rating}",
                authority=f"国家税务总局{s.city}市税务局",
                occurred_on=date(year, 12, 31),
                decided_on=decided,
                publish_from=decided,
                publish_until=until,
                details=details,
            )
        )
        if rating == "A":
            rows.append(
                _membership(
                    s,
                    "RED",
                    "纳税信用A级纳税人名单",
                    f"{year}年度纳税信用A级",
                    decided,
                    until,
                    "henan-tax",
                )
            )
    return rows


def licences(rng: random.Random, s: Subject, today: date) -> list[Row]:
    rows = []
    for i in range(rng.randint(1, 3)):
        title, body = rng.choice(LICENCES)
        decided = _past_day(rng, s, today, 3650)
        valid_until = add_months(decided, 60)
        rows.append(
            _record(
                s,
                "market-regulation",
                f"LIC-{s.uscc}-{i}",
                category="LICENSING",
                kind="ADMIN_LICENSE",
                severity="NONE",
                title=title,
                authority=f"{s.city}市{body}",
                decided_on=decided,
                publish_from=decided,
                publish_until=valid_until,
                details={
                    "licence_no": f"{s.uscc[2:8]}{decided:%Y}{i:04d}",
                    "valid_until": valid_until.isoformat(),
                },
            )
        )
    return rows


# Publication window in months by severity, within the NDRC maxima
# (MINOR ≤ 3, ORDINARY ≤ 12, SERIOUS ≤ 36).
_WINDOWS = {"MINOR": (3,), "ORDINARY": (6, 12), "SERIOUS": (12, 24, 36)}


def penalties(rng: random.Random, s: Subject, today: date) -> list[Row]:
    rows = []
    for i in range(rng.randint(1, 3)):
        cause, body = rng.choice(PENALTY_CAUSES)
        severity = rng.choices(("MINOR", "ORDINARY", "SERIOUS"), (60, 30, 10))[0]
        decided = _past_day(rng, s, today, 1500)
        fine = rng.choice((2000, 5000, 10000, 50000, 200000))
        rows.append(
            _record(
                s,
                "market-regulation",
                f"PEN-{s.uscc}-{i}",
                category="PENALTY",
                kind="ADMIN_PENALTY",
                severity=severity,
                title=f"{cause}，罚款{fine}元",
                authority=f"{s.city}市{body}",
                occurred_on=decided - timedelta(days=30),
                decided_on=decided,
                publish_from=decided,
                publish_until=add_months(decided, rng.choice(_WINDOWS[severity])),
                details={
                    "decision_no": f"{s.city}{body[:2]}罚〔{decided:%Y}〕{i + 1}号",
                    "fine": fine,
                },
            )
        )
    return rows


def court(rng: random.Random, s: Subject, today: date, dishonest: bool) -> list[Row]:
    """A civil judgment; for a dishonest debtor also the SPC list entry."""
    rows = []
    decided = _past_day(rng, s, today, 1200)
    case_no = f"（{decided:%Y}）{s.court}民初{rng.randint(100, 9999)}号"
    rows.append(
        _record(
            s,
            "court-dishonest",
            f"JDG-{s.uscc}",
            category="JUDICIAL",
            kind="CIVIL_JUDGMENT",
            severity="ORDINARY",
            title="买卖合同纠纷 一审判决",
            authority=f"{s.city}市中级人民法院",
            decided_on=decided,
            publish_from=decided,
            publish_until=add_months(decided, 12),
            details={"case_no": case_no},
        )
    )
    if dishonest:
        listed = min(decided + timedelta(days=rng.randint(90, 300)), today)
        seq = rng.randint(100, 9999)
        exec_no = f"（{listed:%Y}）{s.court}执{seq}号"
        circumstance = CIRCUMSTANCES[seq % len(CIRCUMSTANCES)]
        # SPC 2017 Art 2: (二)–(六) listed two years; (一) until performed.
        until = term_end(listed, circumstance_of({"circumstance": circumstance}))
        rows.append(
            _record(
                s,
                "court-dishonest",
                f"DIS-{s.uscc}",
                category="JUDICIAL",
                kind="DISHONEST_JUDGMENT_DEBTOR",
                severity="SERIOUS",
                title=f"失信被执行人：{circumstance}",
                authority=f"{s.city}市中级人民法院",
                occurred_on=decided,
                decided_on=listed,
                publish_from=listed,
                publish_until=until,
                details={
                    "case_no": exec_no,
                    "basis_case": case_no,
                    "circumstance": circumstance,
                },
            )
        )
        rows.append(
            {
                **_membership(
                    s,
                    "BLACK",
                    DISHONEST_LIST,
                    exec_no,
                    listed,
                    until,
                    "court-dishonest",
                ),
                # the listing rests on the court's record (平信用〔2021〕1号 §12)
                "record_source": "court-dishonest",
                "record_source_id": f"DIS-{s.uscc}",
            }
        )
    return rows


def utility_arrears(rng: random.Random, s: Subject, today: date) -> list[Row]:
    decided = _past_day(rng, s, today, 700)
    utility = rng.choice(("电费", "水费", "燃气费"))
    months = rng.randint(2, 8)
    return [
        _record(
            s,
            "utilities",
            f"UTL-{s.uscc}",
            category="UTILITIES",
            kind="UTILITY_ARREARS",
            severity="MINOR",
            title=f"欠缴{utility}{months}个月",
            authority=f"{s.city}市公用事业服务中心",
            decided_on=decided,
            publish_from=decided,
            publish_until=add_months(decided, 3),
            details={
                "utility": utility,
                "months": months,
                "amount": rng.randint(1, 200) * 100,
            },
        )
    ]


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
    rows = tax_ratings(rng, s, today) + licences(rng, s, today)
    if rng.random() < 0.25:
        found = penalties(rng, s, today)
        rows += found
        serious = [
            r
            for r in found
            if r["severity"] != "MINOR" and r["publish_until"] >= today.isoformat()
        ]
        if serious and rng.random() < 0.6:
            since = date.fromisoformat(serious[0]["decided_on"])
            rows.append(
                _membership(
                    s,
                    "FOCUS",
                    "重点关注名单",
                    serious[0]["details"]["decision_no"],
                    since,
                    date.fromisoformat(serious[0]["publish_until"]),
                    "market-regulation",
                )
            )
    roll = rng.random()
    if roll < 0.12:
        rows += court(rng, s, today, dishonest=roll < 0.04)
    if rng.random() < 0.10:
        rows += utility_arrears(rng, s, today)
    if rng.random() < 0.55:
        rows += social_insurance(rng, s, today, arrears=rng.random() < 0.12)
    if rng.random() < 0.08:
        rows += honour(rng, s, today)
    if rng.random() < 0.30:
        rows += commitment(rng, s, today)
    return rows
