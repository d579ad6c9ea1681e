"""The 信易贷 funnel: consent requests → answers → decisions → loans.

A cohort view: the requests made in the period, and what became of them —
approved, rejected or expired; the decisions taken under the consents that
answered them; the loans reported back (``recordOutcome`` LOAN_GRANTED), the
median hours from request to the enterprise's answer and the median days
from approval to the first reported loan (the provincial 信易贷 platforms
report these to the NDRC).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from statistics import median
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from hub.clock import utc
from hub.decisions import repository as repo

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = ["FunnelData", "funnel"]

_HOUR, _DAY = 3600.0, 86400.0


@dataclass(frozen=True, slots=True)
class FunnelData:
    requests: int
    approved: int
    rejected: int
    expired: int
    decisions: int
    loans_granted: int
    median_hours_to_answer: float | None
    median_days_to_loan: float | None


def _median(spans: list[tuple[datetime, datetime]], unit: float) -> float | None:
    if not spans:
        return None
    return round(median((utc(b) - utc(a)).total_seconds() / unit for a, b in spans), 2)


async def funnel(
    session: AsyncSession, hub: Hub, start: datetime | None, end: datetime | None
) -> FunnelData:
    """The funnel of the requests made in [start, end) (open ends allowed)."""
    n, approved, rejected, expired = await repo.funnel_counts(
        session, start, end, hub.clock.now()
    )
    answers = await repo.funnel_answers(session, start, end)
    decisions, loans, spans = await repo.funnel_loans(session, start, end)
    return FunnelData(
        requests=n,
        approved=approved,
        rejected=rejected,
        expired=expired,
        decisions=decisions,
        loans_granted=loans,
        median_hours_to_answer=_median(answers, _HOUR),
        median_days_to_loan=_median(spans, _DAY),
    )
