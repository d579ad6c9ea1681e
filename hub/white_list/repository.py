"""All SQL of the white list: applications, WHITE memberships, entry pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.entities import region_prefix
from hub.enums import WhiteListStatus
from hub.models import Entity, ListMembership, WhiteListApplication

__all__ = [
    "add_membership",
    "application",
    "application_page",
    "membership",
    "entry_page",
    "open_application",
]

_A = WhiteListApplication
OPEN = (WhiteListStatus.PENDING.value, WhiteListStatus.APPROVED.value)


def _before(column: Any, at: datetime, app_id: str) -> Any:
    """Keyset: rows after (``at``, ``app_id``) in newest-first order."""
    return or_(column < at, and_(column == at, _A.id < app_id))


async def application(session: AsyncSession, app_id: str) -> _A | None:
    return await session.get(_A, app_id)


async def open_application(
    session: AsyncSession, uscc: str, list_name: str
) -> _A | None:
    """A PENDING or APPROVED application of ``uscc`` to ``list_name``."""
    return await session.scalar(
        select(_A).where(
            _A.uscc == uscc, _A.list_name == list_name, _A.status.in_(OPEN)
        )
    )


async def application_page(
    session: AsyncSession,
    *,
    uscc: str | None,
    status: str | None,
    limit: int,
    after_id: str | None,
) -> list[_A]:
    """Newest first; ``after_id`` continues after that application."""
    stmt = select(_A)
    if uscc is not None:
        stmt = stmt.where(_A.uscc == uscc)
    if status is not None:
        stmt = stmt.where(_A.status == status)
    if after_id is not None:
        anchor = await session.get(_A, after_id)
        if anchor is None:
            return []
        stmt = stmt.where(_before(_A.applied_at, anchor.applied_at, anchor.id))
    rows = await session.scalars(
        stmt.order_by(_A.applied_at.desc(), _A.id.desc()).limit(limit)
    )
    return list(rows)


async def add_membership(session: AsyncSession, values: dict[str, Any]) -> int:
    row = ListMembership(**values)
    session.add(row)
    await session.flush()
    return int(row.id)


async def membership(
    session: AsyncSession, membership_id: int | None
) -> ListMembership | None:
    if membership_id is None:
        return None
    return await session.get(ListMembership, membership_id)


def _entries(list_name: str | None, region: str | None, industry: str | None) -> Any:
    stmt = (
        select(_A, Entity)
        .join(Entity, Entity.uscc == _A.uscc)
        .where(_A.status == WhiteListStatus.APPROVED.value)
    )
    if list_name is not None:
        stmt = stmt.where(_A.list_name == list_name)
    if region is not None:
        stmt = stmt.where(Entity.region_code.startswith(region_prefix(region)))
    if industry is not None:
        # GB/T 4754 codes nest: C covers C13, C13 covers C131.
        stmt = stmt.where(Entity.industry_code.startswith(industry))
    return stmt


async def entry_page(
    session: AsyncSession,
    *,
    list_name: str | None,
    region_code: str | None,
    industry_code: str | None,
    limit: int,
    after: tuple[datetime, str] | None,
) -> tuple[list[tuple[_A, Entity]], int]:
    """Approved applications with their entities, newest approval first, and
    the total; ``limit + 1`` rows tell whether more follow."""
    base = _entries(list_name, region_code, industry_code)
    total = await session.scalar(select(func.count()).select_from(base.subquery()))
    stmt = base
    if after is not None:
        stmt = stmt.where(_before(_A.decided_at, *after))
    rows = await session.execute(
        stmt.order_by(_A.decided_at.desc(), _A.id.desc()).limit(limit)
    )
    return [(a, e) for a, e in rows], int(total or 0)
