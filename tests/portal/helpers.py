"""Building what the portal tests sign in as."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.clock import Clock
from hub.db import session_scope
from hub.models import Entity

__all__ = ["add_enterprise"]


async def add_enterprise(
    maker: async_sessionmaker[AsyncSession],
    clock: Clock,
    uscc: str,
    name: str = "郑州示范科技有限公司",
) -> None:
    now = clock.now()
    async with session_scope(maker) as s:
        s.add(
            Entity(
                uscc=uscc,
                name=name,
                kind="ENTERPRISE",
                region_code="410100",
                industry_code="C13",
                established_on=date(2015, 3, 2),
                registered_capital=5_000_000.0,
                legal_representative="张三",
                status="存续",
                created_at=now,
                updated_at=now,
            )
        )
