"""All SQL of graded supervision: the inspection population and the draws."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.entities import region_prefix
from hub.models import Entity, InspectionDraw

__all__ = ["CLOSED", "add_draw", "population"]

# Entities that no longer trade are not inspected (检查对象名录库 holds
# entities in business).
CLOSED = ("注销", "吊销", "迁出")


async def population(
    session: AsyncSession, region_code: str, industry_code: str | None, limit: int
) -> list[str]:
    """USCCs of the entities in scope, in code order (a fixed order, so that
    a seeded draw over the same population draws the same entities)."""
    stmt = select(Entity.uscc).where(
        Entity.region_code.startswith(region_prefix(region_code)),
        Entity.status.not_in(CLOSED),
    )
    if industry_code is not None:
        stmt = stmt.where(Entity.industry_code.startswith(industry_code))
    rows = await session.scalars(stmt.order_by(Entity.uscc).limit(limit))
    return list(rows)


def add_draw(session: AsyncSession, draw: InspectionDraw) -> None:
    session.add(draw)
