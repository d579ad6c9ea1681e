"""Listing terms of the courts' 失信被执行人名单.

最高人民法院关于公布失信被执行人名单信息的若干规定 (法释〔2017〕7号):

* Art 1 lists six circumstances: (一) 有履行能力而拒不履行生效法律文书确定
  义务; (二) 以伪造证据、暴力、威胁等方法妨碍、抗拒执行; (三) 以虚假诉讼、
  虚假仲裁或者以隐匿、转移财产等方法规避执行; (四) 违反财产报告制度;
  (五) 违反限制消费令; (六) 无正当理由拒不履行执行和解协议.
* Art 2: (二)–(六) are listed for 2 years; the court may extend by 1–3
  years.  (一) has no fixed term.
* Art 10: the listing is deleted once the obligation is performed (for
  (一); a fixed term simply runs out).

These rules — not the 信用修复管理办法 publication windows of administrative
decisions — bound a court listing: an extension may run past three years
from the original listing, and a (一) listing stays until performed.  A
court listing is not repaired through the NDRC procedure either
(``hub.rights.repairs``): performance is the route.

A source names the circumstance in ``details.circumstance``, by its number
(``"（一）"``, ``"一"``, ``1``) or by the words of Art 1.  When it does not,
the listing is taken to have the 2-year term of Art 2, the milder reading.

>>> circumstance("有履行能力而拒不履行生效法律文书确定义务")
1
>>> term_end(date(2024, 2, 29), None)
datetime.date(2026, 2, 28)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from hub.rights.deadlines import add_months

__all__ = [
    "DISHONEST_KIND",
    "DISHONEST_LIST",
    "EXTENSION_MONTHS",
    "LISTING_MONTHS",
    "NO_FIXED_TERM",
    "circumstance",
    "circumstance_of",
    "latest_end",
    "term_end",
]

DISHONEST_KIND = "DISHONEST_JUDGMENT_DEBTOR"
DISHONEST_LIST = "失信被执行人名单"
LISTING_MONTHS = 24  # Art 2
EXTENSION_MONTHS = (12, 36)  # Art 2: extendable by one to three years
NO_FIXED_TERM = 1  # circumstance (一)

_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6}
# Words of Art 1 that name each circumstance (the first match wins, so (一)'s
# "有履行能力" is looked for before (六)'s "拒不履行执行和解协议").
_WORDS = (
    (1, ("有履行能力而拒不履行", "有履行能力")),
    (2, ("妨碍、抗拒执行", "妨碍执行", "抗拒执行")),
    (3, ("规避执行",)),
    (4, ("财产报告",)),
    (5, ("限制消费",)),
    (6, ("执行和解协议",)),
)
_NUMBER = re.compile(r"^\s*[（(]?\s*([一二三四五六1-6])\s*[)）]?\s*$")


def circumstance(value: Any) -> int | None:
    """The Art 1 circumstance (1–6) ``value`` names; None when it names none."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 1 <= value <= 6 else None
    if not isinstance(value, str):
        return None
    found = _NUMBER.match(value)
    if found:
        token = found.group(1)
        return _NUMERALS.get(token) or int(token)
    for number, words in _WORDS:
        if any(w in value for w in words):
            return number
    return None


def circumstance_of(details: Mapping[str, Any] | None) -> int | None:
    return circumstance((details or {}).get("circumstance"))


def term_end(listed_on: date, number: int | None) -> date | None:
    """Last day of the listing term; None for (一), which has no fixed term."""
    if number == NO_FIXED_TERM:
        return None
    return add_months(listed_on, LISTING_MONTHS)


def latest_end(listed_on: date, number: int | None) -> date | None:
    """The latest lawful last day: the term plus the longest extension (Art 2);
    None for (一)."""
    end = term_end(listed_on, number)
    return None if end is None else add_months(end, EXTENSION_MONTHS[1])
