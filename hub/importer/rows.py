"""The three import row types (interfaces.md, "Import format") and their checks.

Every row is validated here before it touches the database; a row that fails
is quarantined with a reason an operator can act on, never silently fixed.

>>> parse_row({"type": "list", "uscc": "91350100M000100Y43", "kind": "RED",
...            "list_name": "纳税信用A级纳税人名单", "basis": "2025年度",
...            "since": "2026-04-01"}).kind
<ListKind.RED: 'RED'>
"""

from __future__ import annotations

import calendar
from datetime import date
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from hub.enums import DataCategory, EntityKind, ListKind, RecordStatus, Severity
from hub.importer.tax_grades import tax_grade_problem
from hub.rights import court_terms
from hub.uscc import invalid_reason

__all__ = [
    "DISHONEST_KIND",
    "LISTING_MONTHS",
    "ROW_TYPES",
    "EntityRow",
    "ListRow",
    "RecordRow",
    "Row",
    "RowError",
    "add_months",
    "default_publish_until",
    "future_dated",
    "max_publish_until",
    "min_publish_until",
    "parse_row",
    "publication_status",
    "row_type_of",
]

ROW_TYPES = ("entity", "record", "list")


class RowError(ValueError):
    """A row that cannot be loaded; ``reason`` is written to the quarantine."""

    def __init__(self, reason: str, row_type: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.row_type = row_type


def _iso_date(value: Any) -> Any:
    # Dates are ISO-8601 text in both JSONL and CSV; numbers (Unix times) and
    # other spellings are refused rather than guessed.
    if value is None or isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError("a date must be ISO-8601 text such as 2026-04-01")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO-8601 date (YYYY-MM-DD)") from None


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
Text = Annotated[str, Field(min_length=1)]


# A file lists an entity's records right after it: the same code is checked
# many times in a row, so remember recent verdicts.
_uscc_reason = lru_cache(maxsize=8192)(invalid_reason)


def _check_uscc(value: str) -> str:
    reason = _uscc_reason(value) if isinstance(value, str) else invalid_reason(value)
    if reason is not None:
        raise ValueError(f"uscc {value!r}: {reason}")
    return value


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    uscc: str

    _uscc = field_validator("uscc")(_check_uscc)


class EntityRow(_Row):
    """An enterprise (or other market entity), identified by its USCC."""

    name: Text = Field(max_length=200)
    kind: EntityKind
    region_code: Annotated[str, Field(pattern=r"^\d{6}$")]
    industry_code: str | None = Field(None, max_length=8)
    established_on: IsoDate | None = None
    registered_capital: float | None = Field(None, ge=0)
    legal_representative: str | None = Field(None, max_length=100)
    status: Text = Field("存续", max_length=32)


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, clamped to the month's end."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# 信用修复管理办法 (NDRC, in force 2026-04-01): the publication window of
# negative information per severity, counted from the decision date — MINOR
# at most 3 months, ORDINARY 3 months to 1 year, SERIOUS 1 to 3 years.
_MAX_WINDOW_MONTHS = {Severity.MINOR: 3, Severity.ORDINARY: 12, Severity.SERIOUS: 36}
_MIN_WINDOW_MONTHS = {Severity.MINOR: 0, Severity.ORDINARY: 3, Severity.SERIOUS: 12}


def max_publish_until(severity: Severity, decided_on: date) -> date | None:
    """The latest lawful ``publish_until`` for a record, or None if unbounded."""
    months = _MAX_WINDOW_MONTHS.get(severity)
    return None if months is None else add_months(decided_on, months)


def min_publish_until(severity: Severity, decided_on: date) -> date | None:
    """The earliest lawful ``publish_until``, or None when there is no minimum."""
    months = _MIN_WINDOW_MONTHS.get(severity)
    return None if not months else add_months(decided_on, months)


# 最高人民法院关于公布失信被执行人名单信息的若干规定 (2017) Art 2: listed two years.
LISTING_MONTHS = court_terms.LISTING_MONTHS
DISHONEST_KIND = court_terms.DISHONEST_KIND


def default_publish_until(
    kind: str,
    severity: Severity,
    decided_on: date | None,
    publish_from: date | None,
    details: dict[str, Any] | None = None,
) -> date | None:
    """The ``publish_until`` of a record whose source left it out.

    Negative information is never published indefinitely: the longest lawful
    window from the decision (信用修复管理办法) — except a court dishonest-debtor
    listing, which ends with its listing term (SPC 2017 Art 2: 2 years from
    the listing), and has none for circumstance (一) (it ends when the
    obligation is performed).  None for records without a window (severity
    NONE) or without a date to count from.
    """
    base = decided_on or publish_from
    if base is None:
        return None
    if kind == DISHONEST_KIND and severity is not Severity.NONE:
        return court_terms.term_end(
            publish_from or base, court_terms.circumstance_of(details)
        )
    return max_publish_until(severity, base)


def publication_status(
    status: RecordStatus | None, publish_until: date | None, today: date
) -> RecordStatus:
    """The status to store: a lapsed publication window means EXPIRED."""
    status = status or RecordStatus.ACTIVE
    if status is RecordStatus.ACTIVE and publish_until is not None:
        if publish_until < today:
            return RecordStatus.EXPIRED
    return status


class RecordRow(_Row):
    """A credit record, identified by (``source``, ``source_id``)."""

    source: Text = Field(max_length=64)
    source_id: Text = Field(max_length=128)
    category: DataCategory
    kind: Text = Field(max_length=64)
    severity: Severity
    status: RecordStatus | None = None
    title: Text = Field(max_length=500)
    authority: str | None = Field(None, max_length=200)
    occurred_on: IsoDate | None = None
    decided_on: IsoDate | None = None
    ended_on: IsoDate | None = None
    publish_from: IsoDate | None = None
    publish_until: IsoDate | None = None
    details: dict[str, Any] | None = None

    @property
    def court_listing(self) -> bool:
        return self.kind == DISHONEST_KIND and self.severity is not Severity.NONE

    def _fill(self, name: str, value: Any) -> None:
        # The model is frozen; this is its own validation filling a value.
        object.__setattr__(self, name, value)

    @model_validator(mode="after")
    def _tax_grade(self) -> RecordRow:
        if self.kind == "TAX_RATING":
            problem = tax_grade_problem(self.details)
            if problem is not None:
                raise ValueError(problem)
        return self

    @model_validator(mode="after")
    def _publication_window(self) -> RecordRow:
        if self.court_listing:
            return self._listing_term()
        if self.publish_until is None and self.severity in _MAX_WINDOW_MONTHS:
            default = default_publish_until(
                self.kind, self.severity, self.decided_on, self.publish_from
            )
            if default is None:
                raise ValueError(
                    f"a {self.severity} record without publish_until needs "
                    "decided_on or publish_from: negative information is "
                    "published for a limited time only (信用修复管理办法)"
                )
            self._fill("publish_until", default)
        start, until = self.publish_from, self.publish_until
        if start and until and until < start:
            raise ValueError(f"publish_until {until} is before publish_from {start}")
        base = self.decided_on or start
        if self.status is RecordStatus.REVOKED or not (until and base):
            return self  # a withdrawn record is never published: no window
        latest = max_publish_until(self.severity, base)
        if latest is not None and until > latest:
            months = _MAX_WINDOW_MONTHS[self.severity]
            raise ValueError(
                f"publish_until {until} exceeds the {self.severity} window: at "
                f"most {months} months from decided_on {base} (until {latest}, "
                "信用修复管理办法)"
            )
        earliest = min_publish_until(self.severity, base)
        if earliest is not None and until < earliest:
            months = _MIN_WINDOW_MONTHS[self.severity]
            raise ValueError(
                f"publish_until {until} is short of the {self.severity} window: "
                f"at least {months} months from decided_on {base} (until "
                f"{earliest} or later, 信用修复管理办法)"
            )
        return self

    def _listing_term(self) -> RecordRow:
        """A court listing's window is its listing term (SPC 2017 Art 2/10)."""
        details = self.details or {}
        number = court_terms.circumstance_of(details)
        if details.get("circumstance") is not None and number is None:
            raise ValueError(
                f"details.circumstance {details['circumstance']!r} names none of "
                "the six circumstances (一)–(六) of 最高人民法院关于公布失信被执行人"
                "名单信息的若干规定 Art 1"
            )
        listed = self.publish_from or self.decided_on
        if listed is None:
            raise ValueError(
                "a dishonest-debtor listing needs publish_from (the listing day) "
                "or decided_on: its term counts from the listing"
            )
        until = self.publish_until
        if until is None:
            until = court_terms.term_end(listed, number)
        if self.ended_on is not None:
            # Art 10: performed, the listing is deleted — publication ends too.
            until = self.ended_on if until is None else min(until, self.ended_on)
        self._fill("publish_until", until)
        if until is not None and until < listed:
            raise ValueError(f"publish_until {until} is before the listing {listed}")
        latest = court_terms.latest_end(listed, number)
        if (
            self.status is not RecordStatus.REVOKED
            and until is not None
            and latest is not None
            and until > latest
        ):
            raise ValueError(
                f"publish_until {until} exceeds the listing term: 2 years from the "
                f"listing on {listed}, extended by at most 3 (until {latest}, "
                "最高人民法院关于公布失信被执行人名单信息的若干规定 Art 2)"
            )
        return self


def future_dated(row: RecordRow, today: date) -> str | None:
    """Why ``row`` cannot be true yet, or None.

    A decision (or the act it is about) dated after today, China time, has
    not happened: a source sending one is wrong, and storing it would publish
    — and count against an enterprise — something that is not so.
    """
    for name in ("occurred_on", "decided_on"):
        day = getattr(row, name)
        if day is not None and day > today:
            return (
                f"{name} {day} is in the future (today is {today}, China time): "
                "a record is imported once it has been decided"
            )
    return None


class ListRow(_Row):
    """A red/black/focus list membership, identified by (uscc, kind, name, since).

    ``record_source`` / ``record_source_id`` name the record the listing rests
    on (both or neither): approving a repair of that record ends the listing
    (平信用〔2021〕1号 §12), as does the source reporting a court obligation
    performed.
    """

    kind: ListKind
    list_name: Text = Field(max_length=200)
    basis: Text = Field(max_length=500)
    since: IsoDate
    until: IsoDate | None = None
    source: str | None = Field(None, max_length=64)
    record_source: str | None = Field(None, min_length=1, max_length=64)
    record_source_id: str | None = Field(None, min_length=1, max_length=128)

    @model_validator(mode="after")
    def _dates(self) -> ListRow:
        if self.until and self.until < self.since:
            raise ValueError(f"until {self.until} is before since {self.since}")
        if (self.record_source is None) != (self.record_source_id is None):
            raise ValueError(
                "record_source and record_source_id name the record together: "
                "give both or neither"
            )
        return self


Row = EntityRow | RecordRow | ListRow
_MODELS: dict[str, type[EntityRow] | type[RecordRow] | type[ListRow]] = {
    "entity": EntityRow,
    "record": RecordRow,
    "list": ListRow,
}


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors(include_url=False):
        field = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "missing":
            parts.append(f"missing field {field!r}")
        elif err["type"] == "extra_forbidden":
            parts.append(f"unknown field {field!r}")
        elif msg.startswith(f"{field} ") or not field:
            parts.append(msg)
        elif err["type"] == "value_error":
            parts.append(f"{field}: {msg}")
        else:
            parts.append(f"{field}: {msg} (got {err.get('input')!r})")
    return "; ".join(parts)


def parse_row(data: Any, row_type: str | None = None) -> Row:
    """Validate one decoded row; ``row_type`` overrides a missing ``type`` key."""
    if not isinstance(data, dict):
        raise RowError("a row must be a JSON object")
    fields = dict(data)
    declared = fields.pop("type", None) or row_type
    model = _MODELS.get(declared) if isinstance(declared, str) else None
    if model is None:
        raise RowError(f"type must be one of {', '.join(ROW_TYPES)} (got {declared!r})")
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        raise RowError(_describe(exc), declared) from None


def row_type_of(row: Row) -> Literal["entity", "record", "list"]:
    if isinstance(row, EntityRow):
        return "entity"
    return "record" if isinstance(row, RecordRow) else "list"
