"""Deadline arithmetic of the subject's rights, in China's legal calendar.

Record dates (``decided_on``, ``occurred_on`` …) are calendar days as the
deciding authority wrote them, i.e. China Standard Time (UTC+8, no daylight
saving since 1991).  So "today" for every rights deadline is the date in
China at the clock's instant, not the UTC date: at 2026-11-22 16:30 UTC it is
already 2026-11-23 in Zhengzhou.  Instants (``filedAt``, ``dueBy``) stay
UTC-aware datetimes like everything else in the hub.

Periods follow 民法典 Art 201–203: the start day is not counted (Art 201),
a period of months or years ends on the corresponding day of the final month
(the month's last day when there is none: 2024-02-29 + 1 year ends on
2025-02-28), a period ends at 24:00 of its last day (Art 203), and when that
day is a statutory rest day the period ends on the first working day after it
(Art 203; ``hub.rights.workdays``).  What may happen "after the period" may
happen from the next day.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta

from hub.clock import CHINA, calendar_day, utc
from hub.enums import Severity
from hub.rights.workdays import first_working_day

__all__ = [
    "CHINA",
    "LISTING_TERM_YEARS",
    "OBJECTION_REPLY_DAYS",
    "RETENTION_YEARS",
    "add_months",
    "add_years",
    "china_today",
    "end_of_day",
    "listing_term_end",
    "objection_due",
    "repair_possible_from",
    "retention_end",
]


# 征信业管理条例 Art 25: the objection is answered within 20 days of receipt.
OBJECTION_REPLY_DAYS = 20
# 征信业管理条例 Art 16: negative information is kept 5 years after the act ends.
RETENTION_YEARS = 5
# 最高人民法院关于公布失信被执行人名单信息的若干规定 (法释〔2017〕7号) Art 2:
# circumstances (二)–(六) of Art 1 are listed for 2 years (extendable by 1–3);
# circumstance (一) has no fixed term and ends with performance (Art 10).
LISTING_TERM_YEARS = 2
# 信用修复管理办法 (2026): minimum publication before repair may be applied for.
MINIMUM_PUBLICATION_MONTHS = {
    Severity.MINOR: 0,
    Severity.ORDINARY: 3,
    Severity.SERIOUS: 12,
}


def china_today(now: datetime) -> date:
    """The calendar day in China at instant ``now`` (see ``hub.clock``)."""
    return calendar_day(now)


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's end (民法典 Art 202)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


def end_of_day(day: date) -> datetime:
    """24:00 Asia/Shanghai of ``day`` (= 00:00 of the next day), as UTC."""
    return utc(datetime.combine(day + timedelta(days=1), time(), tzinfo=CHINA))


def objection_due(filed_at: datetime) -> datetime:
    """The reply deadline of an objection filed at ``filed_at``.

    征信业管理条例 Art 25 (20 days) with 民法典 Art 201/203: day 1 is the day
    after filing (China calendar), the period ends at 24:00 of day 20, or of
    the first working day after it when day 20 is a statutory rest day.

    >>> objection_due(datetime(2026, 9, 13, 2, 0, tzinfo=UTC))  # day 20 = 10-03
    datetime.datetime(2026, 10, 8, 16, 0, tzinfo=datetime.timezone.utc)
    """
    last = calendar_day(filed_at) + timedelta(days=OBJECTION_REPLY_DAYS)
    return end_of_day(first_working_day(last))


def repair_possible_from(severity: str, decided_on: date) -> date:
    """First day a repair application is admissible.

    MINOR: at once (once the duties are done, which the evidence shows);
    ORDINARY: after 3 months; SERIOUS: after 1 year — each counted from the
    decision date and ending on the period's last day.
    """
    sev = Severity(severity)
    if sev not in MINIMUM_PUBLICATION_MONTHS:
        raise ValueError(f"only negative records are repaired, not {sev}")
    months = MINIMUM_PUBLICATION_MONTHS[sev]
    if months == 0:
        return decided_on
    return add_months(decided_on, months) + timedelta(days=1)


def retention_end(ended_on: date) -> date:
    """Last day negative information may be kept (征信业管理条例 Art 16)."""
    return add_years(ended_on, RETENTION_YEARS)


def listing_term_end(since: date, until: date | None) -> date:
    """Last day of a dishonest-debtor listing: ``until``, else 2 years."""
    return until if until is not None else add_years(since, LISTING_TERM_YEARS)
