"""Injected time.  All timestamps are UTC-aware; tests swap in a FrozenClock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol

__all__ = ["Clock", "FrozenClock", "SystemClock", "utc"]


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
        return self.now().date()


class FrozenClock:
    """A clock that only moves when told to.

    >>> c = FrozenClock(datetime(2026, 4, 1, tzinfo=UTC)); c.advance(days=20)
    """

    def __init__(self, at: datetime) -> None:
        self.at = utc(at)

    def now(self) -> datetime:
        return self.at

    def today(self) -> date:
        return self.at.date()

    def advance(self, **delta: float) -> None:
        self.at = self.at + timedelta(**delta)
