"""Deadline arithmetic and the declared state machines (pure functions)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from hub.enums import RecordStatus
from hub.errors import ErrorCode, HubError
from hub.rights.deadlines import (
    add_months,
    add_years,
    china_today,
    listing_term_end,
    objection_due,
    repair_possible_from,
    retention_end,
)
from hub.rights.states import COMMITMENT, OBJECTION, RECORD, REPAIR


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


def test_objection_due_is_twenty_days_later() -> None:
    filed = datetime(2026, 12, 20, 17, 30, tzinfo=UTC)
    assert objection_due(filed) == datetime(2027, 1, 9, 17, 30, tzinfo=UTC)


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
        ("ACTIVE", "REPAIRED"),
        ("ACTIVE", "EXPIRED"),
    },
    "objection": {("OPEN", "CORRECTED"), ("OPEN", "REVOKED"), ("OPEN", "UPHELD")},
    "repair": {("PENDING", "APPROVED"), ("PENDING", "REJECTED")},
    "commitment": {("PENDING", "FULFILLED"), ("PENDING", "BREACHED")},
}


@pytest.mark.parametrize(
    "machine", [RECORD, OBJECTION, REPAIR, COMMITMENT], ids=lambda m: m.name
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
    row.status = "ACTIVE"
    with pytest.raises(HubError) as e:
        RECORD.move(row, RecordStatus.REVOKED, label="record 7")
    assert "from ACTIVE only DISPUTED, EXPIRED, REPAIRED" in e.value.message
    assert RECORD.move(row, RecordStatus.DISPUTED, label="record 7") == "ACTIVE"
    assert row.status == "DISPUTED"
