"""All SQL of credit reports: what a report covers, and the stored reports."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.models import CreditRecord, CreditReport, ListMembership
from hub.reports.content import REPORT_STATUSES

__all__ = ["add", "lists_in_period", "records_in_period", "report", "reports_of"]

_R = CreditRecord


async def records_in_period(
    session: AsyncSession,
    uscc: str,
    categories: Iterable[str],
    start: date,
    end: date,
    today: date,
) -> list[CreditRecord]:
    """Records decided in [start, end] that are still published today:
    ACTIVE, DISPUTED or REPAIRED, inside their publication window."""
    day = func.coalesce(_R.decided_on, _R.occurred_on)
    rows = await session.scalars(
        select(_R)
        .where(
            _R.uscc == uscc,
            _R.category.in_(list(categories)),
            _R.status.in_(REPORT_STATUSES),
            day >= start,
            day <= end,
            or_(_R.publish_from.is_(None), _R.publish_from <= today),
            or_(_R.publish_until.is_(None), _R.publish_until >= today),
        )
        .order_by(_R.category, day.desc(), _R.id.desc())
    )
    return list(rows)


async def lists_in_period(
    session: AsyncSession, uscc: str, start: date, end: date
) -> list[ListMembership]:
    """List memberships in force at some time within [start, end]."""
    lm = ListMembership
    rows = await session.scalars(
        select(lm)
        .where(
            lm.uscc == uscc,
            lm.since <= end,
            or_(lm.until.is_(None), lm.until >= start),
        )
        .order_by(lm.since.desc(), lm.id.desc())
    )
    return list(rows)


def add(session: AsyncSession, row: CreditReport) -> None:
    session.add(row)


async def report(session: AsyncSession, report_id: str) -> CreditReport | None:
    return await session.get(CreditReport, report_id)


async def reports_of(
    session: AsyncSession, uscc: str, limit: int
) -> list[CreditReport]:
    """The enterprise's reports, newest first."""
    rows = await session.scalars(
        select(CreditReport)
        .where(CreditReport.uscc == uscc)
        .order_by(CreditReport.issued_at.desc(), CreditReport.id)
        .limit(limit)
    )
    return list(rows)
