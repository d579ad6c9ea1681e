"""The national 双公示 disclosure formats: 行政处罚 (xzcf) and 行政许可 (xzxk).

Agencies publish these as CSV files with the columns of the national data
standard (interfaces.md, "Import: the national 双公示 formats").  Each row is
mapped to an ordinary ``record`` row and then validated, upserted and
quarantined exactly like one (:mod:`hub.importer.service`):

- ``source`` is ``xzcf`` or ``xzxk``, ``source_id`` the decision number, so
  re-importing a file never duplicates a record;
- every original column is kept in ``details`` under its normalised name;
- a 处罚类别 maps to a severity through ``penalty_severity.yaml`` (data).

Header names are matched after Unicode NFKC (full-width brackets become
half-width) and with every space removed, so
``行政相对人代码_1 （统一社会信用代码）`` is ``行政相对人代码_1(统一社会信用代码)``.

>>> normalise_header(" 罚款金额 （万元）")
'罚款金额(万元)'
>>> parse_day("2026年4月1日")
datetime.date(2026, 4, 1)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

from hub.enums import Severity
from hub.errors import ErrorCode, HubError

__all__ = [
    "NATIONAL_FORMATS",
    "NationalFormat",
    "check_header",
    "map_row",
    "normalise_header",
    "parse_day",
    "penalty_severity",
]

NationalFormat = Literal["xzcf", "xzxk"]
NATIONAL_FORMATS: tuple[NationalFormat, ...] = ("xzcf", "xzxk")
SEVERITY_FILE = Path(__file__).with_name("penalty_severity.yaml")

USCC_COLUMN = "行政相对人代码_1(统一社会信用代码)"
_SPACES = re.compile(r"\s+")
_DAY = re.compile(
    r"^(?P<y>\d{4})(?:-(?P<m1>\d{1,2})-(?P<d1>\d{1,2})"
    r"|/(?P<m2>\d{1,2})/(?P<d2>\d{1,2})"
    r"|年(?P<m3>\d{1,2})月(?P<d3>\d{1,2})日)$"
)
# Separators between several 处罚类别 in one cell; 、 is tried after them
# because it also joins the words of one kind (没收违法所得、没收非法财物).
_KIND_SEPARATORS = re.compile(r"[;；,，/]")
TITLE_MAX = 500


def normalise_header(name: str) -> str:
    """NFKC (full-width brackets and digits to half-width), no spaces at all."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", name.lstrip("\ufeff")))


def parse_day(text: str) -> date:
    """``YYYY-MM-DD``, ``YYYY/MM/DD`` or ``YYYY年MM月DD日`` (ValueError otherwise)."""
    m = _DAY.match(_SPACES.sub("", text))
    if m is None:
        raise ValueError(
            f"{text!r} is not a date: use YYYY-MM-DD, YYYY/MM/DD or YYYY年MM月DD日"
        )
    month = m["m1"] or m["m2"] or m["m3"]
    day = m["d1"] or m["d2"] or m["d3"]
    try:
        return date(int(m["y"]), int(month), int(day))
    except ValueError:
        raise ValueError(f"{text!r} is not a calendar date") from None


@dataclass(frozen=True, slots=True)
class _Spec:
    """One national format: its columns and how a row becomes a record."""

    source: str
    required: tuple[str, ...]
    build: Callable[[Mapping[str, str]], dict[str, Any]]


@lru_cache
def penalty_severity() -> dict[str, Severity]:
    """处罚类别 (normalised) → severity, from ``penalty_severity.yaml``."""
    raw = yaml.safe_load(SEVERITY_FILE.read_text(encoding="utf-8"))
    return {
        normalise_header(kind): Severity(sev) for kind, sev in raw["categories"].items()
    }


_ORDER = [Severity.NONE, Severity.MINOR, Severity.ORDINARY, Severity.SERIOUS]


def _severity(cell: str) -> Severity:
    known = penalty_severity()
    found: list[Severity] = []
    for part in filter(None, _KIND_SEPARATORS.split(normalise_header(cell))):
        pieces = [part] if part in known else part.split("、")
        for piece in filter(None, pieces):
            if piece not in known:
                raise ValueError(
                    f"处罚类别 {piece!r} is not in the severity mapping "
                    f"(penalty_severity.yaml: {', '.join(known)})"
                )
            found.append(known[piece])
    if not found:
        raise ValueError("处罚类别 is empty")
    return max(found, key=_ORDER.index)


def _day(row: Mapping[str, str], column: str) -> str | None:
    value = row.get(column, "")
    if not value:
        return None
    try:
        return parse_day(value).isoformat()
    except ValueError as exc:
        raise ValueError(f"{column}: {exc}") from None


def _title(text: str) -> str:
    # The full text stays in details; the title is what lists show.
    return text if len(text) <= TITLE_MAX else text[: TITLE_MAX - 1] + "…"


def _penalty(row: Mapping[str, str]) -> dict[str, Any]:
    decided = _day(row, "处罚决定日期")
    return {
        "type": "record",
        "uscc": row[USCC_COLUMN],
        "source": "xzcf",
        "source_id": row["行政处罚决定书文号"],
        "category": "PENALTY",
        "kind": "ADMIN_PENALTY",
        "severity": str(_severity(row["处罚类别"])),
        "title": _title(row["处罚内容"]),
        "authority": row["处罚机关"],
        "decided_on": decided,
        "publish_from": decided,
        "publish_until": _day(row, "公示截止期"),
        # 处罚有效期: when the penalty's effect ends; retention (征信业管理条例
        # Art 16) counts five years from there.
        "ended_on": _day(row, "处罚有效期"),
    }


def _license(row: Mapping[str, str]) -> dict[str, Any]:
    decided = _day(row, "许可决定日期")
    title = row.get("许可证书名称") or row.get("行政许可决定文书名称") or ""
    if not title:
        raise ValueError("许可证书名称 and 行政许可决定文书名称 are both empty")
    return {
        "type": "record",
        "uscc": row[USCC_COLUMN],
        "source": "xzxk",
        "source_id": row["行政许可决定文书号"],
        "category": "LICENSING",
        "kind": "ADMIN_LICENSE",
        "severity": "NONE",
        "title": _title(title),
        "authority": row["许可机关"],
        "decided_on": decided,
        "occurred_on": _day(row, "有效期自"),
        "publish_from": decided,
        "publish_until": _day(row, "有效期至"),
    }


_SPECS: dict[str, _Spec] = {
    "xzcf": _Spec(
        "xzcf",
        (
            USCC_COLUMN,
            "行政处罚决定书文号",
            "处罚类别",
            "处罚内容",
            "处罚决定日期",
            "处罚机关",
        ),
        _penalty,
    ),
    "xzxk": _Spec(
        "xzxk",
        (USCC_COLUMN, "行政许可决定文书号", "许可决定日期", "许可机关"),
        _license,
    ),
}


def check_header(fmt: NationalFormat, header: list[str]) -> None:
    """Refuse a file that lacks a required column (nothing is imported)."""
    missing = [c for c in _SPECS[fmt].required if c not in header]
    if missing:
        raise HubError(
            f"Not a {fmt} file: missing column(s) {', '.join(missing)} (headers "
            "are matched without spaces, full- and half-width brackets alike).",
            ErrorCode.VALIDATION_ERROR,
        )


def map_row(fmt: NationalFormat, cells: Mapping[str, str]) -> dict[str, Any]:
    """One national row (normalised header → stripped cell) as a record row.

    Raises ``ValueError`` with the reason to quarantine.  Empty optional
    values are left out, as in the hub's own CSV format.
    """
    spec = _SPECS[fmt]
    empty = [c for c in spec.required if not cells.get(c)]
    if empty:
        raise ValueError(f"empty required column(s): {', '.join(empty)}")
    record = {k: v for k, v in spec.build(cells).items() if v not in (None, "")}
    record["details"] = dict(cells)
    return record
