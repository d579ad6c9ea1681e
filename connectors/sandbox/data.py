"""Deterministic agency answers for any valid USCC.

A seeded ``random.Random`` per (USCC, source) gives the same answer every
time; dates are placed relative to ``today`` (the sandbox's reference day),
and no decision is dated after it.
Roughly: 35 % of entities rated A, 10 % D; 12 % listed as dishonest debtors;
30 % with penalties; 25 % in utility arrears.
"""

from __future__ import annotations

import hashlib
import random
from datetime import date, timedelta
from typing import Any

from connectors.records import add_months
from hub.uscc import make_uscc

__all__ = [
    "court_answer",
    "entity_name",
    "market_answer",
    "other_uscc",
    "tax_answer",
    "utility_answer",
]

CITIES = ["郑州", "开封", "洛阳", "新乡", "许昌", "南阳", "安阳", "商丘"]
WORDS = ["恒达", "中原", "宏源", "金穗", "华瑞", "嵩山", "黄河", "豫丰", "天成", "正邦"]
TRADES = ["食品", "机械制造", "商贸", "建材", "物流", "纺织", "电子科技", "农业发展"]


def _rng(uscc: str, source: str) -> random.Random:
    digest = hashlib.sha256(f"{source}:{uscc}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _case_salt(uscc: str, i: int) -> int:
    digest = hashlib.sha256(f"case:{uscc}:{i}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 1000


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def entity_name(uscc: str) -> str:
    rng = _rng(uscc, "name")
    return f"{rng.choice(CITIES)}{rng.choice(WORDS)}{rng.choice(TRADES)}有限公司"


def other_uscc(uscc: str) -> str:
    """A different valid USCC (the ``wrong-uscc`` fault answers about it)."""
    while True:
        code = make_uscc(_rng(uscc, "other"))
        if code != uscc:
            return code


def tax_answer(uscc: str, today: date) -> dict[str, Any]:
    rng = _rng(uscc, "tax")
    ratings = []
    # Grades are published each April for the previous year.
    last = today.year - 1 if today >= date(today.year, 4, 1) else today.year - 2
    for year in (last - 1, last):
        bucket = rng.randrange(100)
        serious = False
        if bucket < 35:
            grade, score = "A", round(rng.uniform(90, 99), 1)
        elif bucket < 70:
            grade, score = "B", round(rng.uniform(70, 89.9), 1)
        elif bucket < 75:
            grade, score = "M", None  # a new taxpayer (m_basis below)
        elif bucket < 90:
            grade, score = "C", round(rng.uniform(40, 69.9), 1)
        else:
            grade, score = "D", round(rng.uniform(20, 39.9), 1)
            serious = rng.random() < 0.3
            if serious:
                score = round(rng.uniform(60, 85), 1)
        ratings.append(
            {
                "rating_id": f"HA-{year}-{rng.getrandbits(32):08X}",
                "year": year,
                "rating": grade,
                "score": score,
                "evaluated_on": date(year + 1, 4, 1).isoformat(),
                "serious_dishonesty": serious,
                "m_basis": "NEW" if grade == "M" else None,
            }
        )
    return {
        "uscc": uscc,
        "taxpayer_name": entity_name(uscc),
        "authority": "国家税务总局河南省税务局",
        "ratings": ratings,
    }


COURTS = [
    "郑州市中级人民法院",
    "开封市中级人民法院",
    "洛阳市中级人民法院",
    "郑州市金水区人民法院",
    "新乡市红旗区人民法院",
]
CIRCUMSTANCES = [
    "有履行能力而拒不履行生效法律文书确定义务",
    "以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行",
    "违反财产报告制度",
    "违反限制消费令",
]


def court_answer(uscc: str, today: date) -> dict[str, Any]:
    rng = _rng(uscc, "court")
    cases: list[dict[str, Any]] = []
    if rng.randrange(100) < 12:
        for _ in range(rng.choice((1, 1, 2))):
            # Listed up to three years ago: a two-year listing may have run out
            # or, shortly before, been extended.
            listed = _day(rng, today - timedelta(days=1100), today - timedelta(days=20))
            filed = listed - timedelta(days=rng.randint(60, 200))
            court = rng.choice(COURTS)
            # Case numbers are unique per court and year; a sequence drawn
            # from the code keeps the sandbox's unique across enterprises (a
            # record never moves to another enterprise).
            seq = rng.randint(100, 9999) * 1000 + _case_salt(uscc, len(cases))
            performed = rng.random() < 0.25
            performed_on = (
                _day(rng, listed + timedelta(days=10), today) if performed else None
            )
            circumstance = rng.choice(CIRCUMSTANCES)
            extension = None
            # (一) has no fixed term to extend (SPC 2017 Art 2).
            fixed = not circumstance.startswith("有履行能力")
            term_end = add_months(listed, 24)
            extended_on = term_end - timedelta(days=15)
            # Extended shortly before the two-year term ends (SPC 2017 Art 2) —
            # only once that day has come: an agency reports decisions made,
            # never ones it will make.
            if not performed and rng.random() < 0.2 and fixed and extended_on <= today:
                extension = {
                    "decided_on": extended_on.isoformat(),
                    "until": add_months(term_end, 12).isoformat(),
                }
            basis_no, amount = rng.randint(10, 999), rng.randint(5, 900) * 1000
            cases.append(
                {
                    "case_number": f"（{listed.year}）豫01执{seq}号",
                    "court": court,
                    "basis_document": f"（{filed.year - 1}）豫01民初{basis_no}号",
                    "obligation": f"支付货款人民币{amount:,}元及利息",
                    "circumstance": circumstance,
                    "performance": "全部履行"
                    if performed
                    else rng.choice(["全部未履行", "部分履行"]),
                    "filed_on": filed.isoformat(),
                    "listed_on": listed.isoformat(),
                    "extension": extension,
                    "performed_on": performed_on.isoformat() if performed_on else None,
                }
            )
    return {"uscc": uscc, "name": entity_name(uscc), "cases": cases}


LICENSES = [
    ("食品经营许可证", "JY1410105", "预包装食品销售（含冷藏冷冻食品）"),
    ("工业产品生产许可证", "XK06-001-", "建筑用钢筋"),
    ("特种设备使用登记证", "容1豫A", "压力容器使用"),
    ("药品经营许可证", "豫AA37100", "中成药、化学药制剂批发"),
]
VIOLATIONS = [
    ("销售标签不符合规定的预包装食品", "《中华人民共和国食品安全法》第一百二十五条"),
    ("未按规定公示年度报告", "《企业信息公示暂行条例》第十八条"),
    ("虚假宣传", "《中华人民共和国反不正当竞争法》第二十条"),
    ("使用未经定期检验的特种设备", "《中华人民共和国特种设备安全法》第八十四条"),
]


def market_answer(uscc: str, today: date, types: set[str]) -> dict[str, Any]:
    rng = _rng(uscc, "market")
    city = entity_name(uscc)[:2]
    authority = f"{city}市市场监督管理局"
    licenses, penalties = [], []
    for i in range(rng.randint(1, 3)):
        name, prefix, content = rng.choice(LICENSES)
        decided = _day(rng, today - timedelta(days=1500), today - timedelta(days=30))
        no = rng.randint(1, 9999)
        licenses.append(
            {
                # Real decision numbers are unique per authority and year; the
                # organisation code keeps the sandbox's unique across entities.
                "decision_number": (
                    f"豫{city[0]}市监许〔{decided.year}〕{uscc[8:16]}{i}{no:04d}号"
                ),
                "license_name": name,
                "license_number": f"{prefix}{rng.randint(10**6, 10**7 - 1)}{i}",
                "content": content,
                "authority": authority,
                "decided_on": decided.isoformat(),
                "valid_from": decided.isoformat(),
                "valid_until": (
                    add_months(decided, 60) - timedelta(days=1)
                ).isoformat(),
            }
        )
    if rng.randrange(100) < 30:
        for i in range(rng.randint(1, 2)):
            violation, basis = rng.choice(VIOLATIONS)
            cls = rng.choices(["轻微", "一般", "严重"], weights=[50, 35, 15])[0]
            decided = _day(rng, today - timedelta(days=700), today - timedelta(days=5))
            kinds = ["警告"] if cls == "轻微" else ["警告", "罚款"]
            if cls == "严重":
                kinds = ["罚款", "没收违法所得", "责令停产停业"]
            fine = None if cls == "轻微" else float(rng.randint(5, 500) * 1000)
            no = rng.randint(1, 999)
            penalties.append(
                {
                    "decision_number": (
                        f"{city}市监罚〔{decided.year}〕{uscc[8:16]}{i}{no:03d}号"
                    ),
                    "violation": violation,
                    "basis": basis,
                    "penalty_types": kinds,
                    "fine_amount": fine,
                    "penalty_class": cls,
                    "authority": authority,
                    "occurred_on": (
                        decided - timedelta(days=rng.randint(20, 90))
                    ).isoformat(),
                    "decided_on": decided.isoformat(),
                }
            )
    return {
        "uscc": uscc,
        "name": entity_name(uscc),
        "licenses": licenses if "license" in types else [],
        "penalties": penalties if "penalty" in types else [],
    }


PROVIDERS = {
    "electricity": "国网河南省电力公司{city}供电公司",
    "water": "{city}市自来水有限公司",
    "gas": "{city}华润燃气有限公司",
}


def utility_answer(uscc: str, today: date) -> dict[str, Any]:
    rng = _rng(uscc, "utility")
    city = entity_name(uscc)[:2]
    confirmed = today.replace(day=1)
    accounts = []
    in_arrears = rng.randrange(100) < 25
    for utility in ("electricity", "water", "gas"):
        months = rng.randint(1, 6) if in_arrears and utility == "electricity" else 0
        if in_arrears and utility == "water" and rng.random() < 0.4:
            months = rng.randint(1, 2)
        amount = round(rng.uniform(800, 30000), 2) if months else 0.0
        accounts.append(
            {
                "account_no": f"41{rng.randint(10**10, 10**11 - 1)}",
                "utility": utility,
                "provider": PROVIDERS[utility].format(city=city),
                "arrears_amount": amount,
                "months_overdue": months,
                "overdue_since": add_months(confirmed, -months).isoformat()
                if months
                else None,
                "confirmed_on": confirmed.isoformat(),
            }
        )
    return {"uscc": uscc, "accounts": accounts}
