"""Programme statistics for admins: reads, decisions, benefits, loans."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from hub.clock import CHINA
from hub.decisions import repository as repo
from hub.decisions.funnel import FunnelData, funnel
from hub.decisions.money import FEN, MAX_AMOUNT
from hub.errors import ErrorCode, HubError

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = ["DayStats", "HubStatsData", "ScenarioStatsData", "daily_stats", "hub_stats"]

#: The longest period ``daily_stats`` answers (one query set per day).
MAX_DAYS = 92


@dataclass(frozen=True, slots=True)
class ScenarioStatsData:
    scenario: str
    decisions: int
    eligible: int
    restricted: int
    benefits_applied: int


@dataclass(frozen=True, slots=True)
class HubStatsData:
    profile_reads: int
    decisions: int
    loans_granted: int
    loan_amount: float
    by_scenario: tuple[ScenarioStatsData, ...]
    funnel: FunnelData


def _bounds(
    start: date | None, end: date | None
) -> tuple[datetime | None, datetime | None]:
    """Inclusive China calendar days [start, end] as a half-open range."""
    if start and end and end < start:
        raise HubError(
            f"'to' ({end}) is before 'from' ({start}).", ErrorCode.VALIDATION_ERROR
        )
    lo = datetime.combine(start, time.min, CHINA) if start else None
    hi = datetime.combine(end + timedelta(days=1), time.min, CHINA) if end else None
    return lo, hi


async def hub_stats(
    session: AsyncSession,
    hub: Hub,
    start: date | None = None,
    end: date | None = None,
) -> HubStatsData:
    """Counts over ``start``–``end`` (inclusive China calendar days); open ends allowed.

    Profile reads come from the audit trail (``profile.read`` events);
    decisions by their ``decided_at``; outcomes by their ``recorded_at``.
    Every registered scenario is listed, with zeros when unused.  The funnel
    follows the consent requests made in the period (``hub.decisions.funnel``).
    """
    lo, hi = _bounds(start, end)
    reads = await repo.profile_reads(session, lo, hi)
    counts = await repo.decision_counts(session, lo, hi)
    applied = await repo.outcome_counts(session, lo, hi)
    loans, amount = await repo.loan_totals(
        session, lo, hi, max_amount=float(MAX_AMOUNT)
    )
    keys = list(hub.scenarios.keys()) if hub.scenarios is not None else []
    keys += sorted((set(counts) | set(applied)) - set(keys))
    by = tuple(
        ScenarioStatsData(k, *counts.get(k, (0, 0, 0)), applied.get(k, 0)) for k in keys
    )
    total = float(Decimal(repr(amount)).quantize(FEN))  # CNY to the fen
    return HubStatsData(
        reads,
        sum(s.decisions for s in by),
        loans,
        total,
        by,
        await funnel(session, hub, lo, hi),
    )


@dataclass(frozen=True, slots=True)
class DayStats:
    day: date
    profile_reads: int
    decisions: int
    loans_granted: int
    #: scenario → decisions made that day (every registered scenario listed).
    by_scenario: dict[str, int]


async def daily_stats(
    session: AsyncSession, hub: Hub, start: date, end: date
) -> list[DayStats]:
    """Reads, decisions (in all and per scenario) and loans for each China
    calendar day from ``start`` to ``end`` inclusive (at most ``MAX_DAYS``).

    Counted exactly as :func:`hub_stats` counts a period, one day at a time.
    """
    if end < start or (end - start).days >= MAX_DAYS:
        raise HubError(
            f"Ask for 1 to {MAX_DAYS} days, 'from' not after 'to'.",
            ErrorCode.VALIDATION_ERROR,
        )
    keys = list(hub.scenarios.keys()) if hub.scenarios is not None else []
    days: list[DayStats] = []
    day = start
    while day <= end:
        lo, hi = _bounds(day, day)
        counts = await repo.decision_counts(session, lo, hi)
        loans, _amount = await repo.loan_totals(
            session, lo, hi, max_amount=float(MAX_AMOUNT)
        )
        per = {k: counts.get(k, (0, 0, 0))[0] for k in keys}
        per.update({k: v[0] for k, v in counts.items() if k not in per})
        days.append(
            DayStats(
                day,
                await repo.profile_reads(session, lo, hi),
                sum(per.values()),
                loans,
                per,
            )
        )
        day += timedelta(days=1)
    return days
