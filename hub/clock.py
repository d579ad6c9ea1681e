"""Injected time.  All timestamps are UTC-aware; tests swap in a FrozenClock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Protocol

__all__ = ["CHINA", "Clock", "FrozenClock", "SystemClock", "calendar_day", "utc"]

# Record dates (decided_on, publish_until, ...) are calendar days in China
# (UTC+8, no daylight saving); instants are stored in UTC.  "Today" for
# publication windows, deadlines and expiry is therefore the China date.
CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")


def calendar_day(now: datetime) -> date:
    """The calendar day in China at instant ``now``."""
    return utc(now).astimezone(CHINA).date()


def utc(value: datetime) -> datetime:
    """Return ``value`` as UTC-aware (naive values from SQLite are UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class Clock(Protocol):
    def now(self) -> datetime: ...

    def today(self) -> date: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return datetime.now(CHINA).date()


class FrozenClock:
    """A clock that only moves when told to.

    >>> c = FrozenClock(datetime(2026, 4, 1, tzinfo=UTC)); c.advance(days=20)
    """

    def __init__(self, at: datetime) -> None:
        self.at = utc(at)

    def now(self) -> datetime:
        return self.at

    def today(self) -> date:
        return calendar_day(self.at)

    def advance(self, **delta: float) -> None:
        self.at = self.at + timedelta(**delta)
