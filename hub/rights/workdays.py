"""China's working-day calendar, for deadlines that move past holidays.

民法典 Art 203: when the last day of a period is a statutory rest day
(法定休假日), the period ends on the day after the rest ends.  Which days are
rest days — weekends, the public holidays, and the weekend days the State
Council turns into working days (调休) — is published each year by the State
Council's notice; the maintained ``chinese-calendar`` package carries it, so
no list is typed in here.

The package only knows the years already announced.  For a year it does not
cover, weekends are taken as the only rest days (:func:`covered` says which
years are exact), and :func:`warn_if_uncovered` logs that at start-up so an
operator updates the package when the new notice is out.

>>> is_rest_day(date(2026, 10, 3))   # 国庆节
True
>>> is_rest_day(date(2026, 10, 10))  # a Saturday made a working day (调休)
False
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar

__all__ = ["covered", "first_working_day", "is_rest_day", "warn_if_uncovered"]

log = logging.getLogger("hub.rights.workdays")


@lru_cache(maxsize=1)
def _years() -> range:
    days = chinese_calendar.holidays.keys() | chinese_calendar.workdays.keys()
    return range(min(days).year, max(days).year + 1)


def covered(year: int) -> bool:
    """Whether the official calendar of ``year`` is known (else weekends only)."""
    return year in _years()


def is_rest_day(day: date) -> bool:
    """A statutory rest day: holiday or weekend, unless made a working day."""
    if covered(day.year):
        return not chinese_calendar.is_workday(day)
    return day.weekday() >= 5


def first_working_day(day: date) -> date:
    """``day`` itself if it is a working day, else the first one after it."""
    while is_rest_day(day):
        day += timedelta(days=1)
    return day


def warn_if_uncovered(today: date) -> list[int]:
    """Warn for this year and the next when the calendar does not cover them.

    A deadline started late in December ends in the next year, so both must
    be known for the holidays to count.  Returns the uncovered years.
    """
    missing = [y for y in (today.year, today.year + 1) if not covered(y)]
    for year in missing:
        log.warning(
            "the holiday calendar (chinese-calendar %s) does not cover %d: legal "
            "deadlines in %d skip weekends only, not public holidays; upgrade the "
            "package once the State Council has published that year's holidays",
            getattr(chinese_calendar, "__version__", "?"),
            year,
            year,
        )
    return missing
