"""Deadline arithmetic and the declared state machines (pure functions)."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

import pytest

from hub.enums import RecordStatus
from hub.errors import ErrorCode, HubError
from hub.rights.deadlines import (
    CHINA,
    add_months,
    add_years,
    china_today,
    end_of_day,
    listing_term_end,
    objection_due,
    repair_possible_from,
    retention_end,
)
from hub.rights.objections import same_reason
from hub.rights.states import (
    COMMITMENT,
    LIST,
    LIST_OBJECTION,
    OBJECTION,
    RECORD,
    REPAIR,
)
from hub.rights.workdays import (
    covered,
    first_working_day,
    is_rest_day,
    warn_if_uncovered,
)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2026, 8, 22), 3, date(2026, 11, 22)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
    ],
)
def test_add_months_clamps_to_month_end(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_leap_day_years() -> None:
    # 民法典 Art 202: no corresponding day → the month's last day
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert add_years(date(2024, 2, 29), 5) == date(2029, 2, 28)


def test_repair_periods() -> None:
    assert repair_possible_from("MINOR", date(2026, 11, 23)) == date(2026, 11, 23)
    assert repair_possible_from("ORDINARY", date(2026, 8, 22)) == date(2026, 11, 23)
    assert repair_possible_from("ORDINARY", date(2025, 11, 30)) == date(2026, 3, 1)
    assert repair_possible_from("SERIOUS", date(2025, 11, 23)) == date(2026, 11, 24)
    # decided on a leap day: the year ends 2025-02-28, repair from 03-01
    assert repair_possible_from("SERIOUS", date(2024, 2, 29)) == date(2025, 3, 1)
    with pytest.raises(ValueError):
        repair_possible_from("NONE", date(2026, 1, 1))


def test_retention_and_listing_terms() -> None:
    assert retention_end(date(2021, 11, 23)) == date(2026, 11, 23)
    assert retention_end(date(2020, 2, 29)) == date(2025, 2, 28)
    assert listing_term_end(date(2024, 2, 29), None) == date(2026, 2, 28)
    assert listing_term_end(date(2024, 2, 29), date(2027, 1, 1)) == date(2027, 1, 1)


def shanghai(y: int, m: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    """An instant given as Asia/Shanghai wall-clock time."""
    return datetime(y, m, d, h, mi, tzinfo=CHINA).astimezone(UTC)


@pytest.mark.parametrize(
    ("filed", "last_day"),
    [
        # an ordinary 20th day: day 1 is the day after filing
        (shanghai(2026, 4, 30, 10), date(2026, 5, 20)),
        # across a month end into a shorter month
        (shanghai(2026, 1, 31, 10), date(2026, 2, 24)),  # 02-20 is 春节 → 02-24
        # 春节 2026 (02-15 … 02-23): day 20 on 02-16 moves to 02-24
        (shanghai(2026, 1, 27, 9), date(2026, 2, 24)),
        # filed just after midnight in China (still the 26th in UTC)
        (datetime(2026, 1, 26, 16, 30, tzinfo=UTC), date(2026, 2, 24)),
        # and just before it: the 26th, day 20 = 02-15, also 春节
        (datetime(2026, 1, 26, 15, 59, tzinfo=UTC), date(2026, 2, 24)),
        # 国庆 2026 (10-01 … 10-07): day 20 on 10-03 moves to 10-08
        (shanghai(2026, 9, 13, 15), date(2026, 10, 8)),
        # a Saturday made a working day (调休, 10-10): the deadline stays
        (shanghai(2026, 9, 20, 11), date(2026, 10, 10)),
        # a plain Sunday moves to Monday
        (shanghai(2026, 11, 23, 17), date(2026, 12, 14)),
        # across the year end into a year the calendar does not cover:
        # weekends only (2027-01-10 is a Sunday)
        (shanghai(2026, 12, 21, 1, 30), date(2027, 1, 11)),
    ],
)
def test_objection_due_is_24_00_of_the_twentieth_working_day(
    filed: datetime, last_day: date
) -> None:
    # 征信业管理条例 Art 25 with 民法典 Art 201/203
    due = objection_due(filed)
    assert due == end_of_day(last_day)
    assert due == shanghai(last_day.year, last_day.month, last_day.day) + timedelta(
        days=1
    )
    assert due.tzinfo is not None and due.utcoffset() == timedelta(0)


def test_end_of_day_is_midnight_in_china() -> None:
    assert end_of_day(date(2026, 10, 8)) == datetime(2026, 10, 8, 16, 0, tzinfo=UTC)


def test_rest_days_follow_the_official_calendar() -> None:
    # 春节, 国庆 and weekends rest; 调休 Saturdays work
    assert is_rest_day(date(2026, 2, 17)) and is_rest_day(date(2026, 10, 1))
    assert is_rest_day(date(2026, 11, 22))  # a Sunday
    assert not is_rest_day(date(2026, 2, 14))  # Saturday made a working day
    assert not is_rest_day(date(2026, 10, 10))
    assert first_working_day(date(2026, 10, 3)) == date(2026, 10, 8)
    assert first_working_day(date(2026, 10, 9)) == date(2026, 10, 9)


def test_uncovered_years_fall_back_to_weekends_and_warn(
    caplog: pytest.LogCaptureFixture,
) -> None:
    first_uncovered = next(y for y in range(2026, 2100) if not covered(y))
    jan1 = date(first_uncovered, 1, 1)
    # 元旦 is a holiday every year, but an unknown year knows weekends only
    assert is_rest_day(jan1) == (jan1.weekday() >= 5)
    with caplog.at_level(logging.WARNING, logger="hub.rights.workdays"):
        missing = warn_if_uncovered(date(first_uncovered - 1, 12, 1))
    assert missing == [first_uncovered]
    assert f"does not cover {first_uncovered}" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="hub.rights.workdays"):
        assert warn_if_uncovered(date(2024, 5, 1)) == []
    assert caplog.text == ""


def test_china_today_is_utc_plus_eight() -> None:
    assert china_today(datetime(2026, 11, 22, 15, 59, 59, tzinfo=UTC)) == date(
        2026, 11, 22
    )
    assert china_today(datetime(2026, 11, 22, 16, 0, tzinfo=UTC)) == date(2026, 11, 23)
    # no daylight saving: the same offset in July
    assert china_today(datetime(2026, 7, 1, 16, 0, tzinfo=UTC)) == date(2026, 7, 2)


ALLOWED = {
    "record": {
        ("ACTIVE", "DISPUTED"),
        ("EXPIRED", "DISPUTED"),
        ("DISPUTED", "ACTIVE"),
        ("DISPUTED", "EXPIRED"),
        ("DISPUTED", "REVOKED"),
        ("ACTIVE", "REVOKED"),
        ("EXPIRED", "REVOKED"),
        ("ACTIVE", "REPAIRED"),
        ("ACTIVE", "EXPIRED"),
    },
    "objection": {("OPEN", "CORRECTED"), ("OPEN", "REVOKED"), ("OPEN", "UPHELD")},
    "repair": {("PENDING", "APPROVED"), ("PENDING", "REJECTED")},
    "commitment": {("PENDING", "FULFILLED"), ("PENDING", "BREACHED")},
    "list membership": {
        ("ACTIVE", "DISPUTED"),
        ("DISPUTED", "ACTIVE"),
        ("ACTIVE", "ENDED"),
        ("DISPUTED", "ENDED"),
    },
    "list objection": {("OPEN", "UPHELD"), ("OPEN", "REMOVED")},
}


@pytest.mark.parametrize(
    "machine",
    [RECORD, OBJECTION, REPAIR, COMMITMENT, LIST, LIST_OBJECTION],
    ids=lambda m: m.name,
)
def test_machines_are_exactly_the_declared_tables(machine) -> None:  # type: ignore[no-untyped-def]
    assert set(machine.transitions) == ALLOWED[machine.name]


def test_illegal_transition_names_the_current_state() -> None:
    class Row:
        status = "REPAIRED"

    row = Row()
    with pytest.raises(HubError) as e:
        RECORD.move(row, RecordStatus.DISPUTED, label="record 7")
    assert e.value.code is ErrorCode.CONFLICT
    assert e.value.message == (
        "record 7 is REPAIRED; REPAIRED → DISPUTED is not allowed (REPAIRED is final)."
    )
    assert e.value.extra == {"currentState": "REPAIRED"}
    assert row.status == "REPAIRED"
    row.status = "EXPIRED"
    with pytest.raises(HubError) as e:
        RECORD.move(row, RecordStatus.REPAIRED, label="record 7")
    assert "from EXPIRED only DISPUTED, REVOKED" in e.value.message
    assert RECORD.move(row, RecordStatus.DISPUTED, label="record 7") == "EXPIRED"
    assert row.status == "DISPUTED"


def test_reasons_compare_without_spacing_width_or_case() -> None:
    assert same_reason("处罚已被撤销", " 处罚 已被撤销 ")
    assert same_reason("Penalty REVOKED（复议）", "penalty revoked(复议)")
    assert not same_reason("处罚已被撤销", "处罚已被撤销，附复议决定书")
