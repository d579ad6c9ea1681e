"""All SQL of the portal's sign-in: login links and the enterprise they name."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub.models import Entity, PortalLoginLink

__all__ = ["add_link", "enterprise_name", "use_link"]


async def add_link(
    session: AsyncSession,
    *,
    token_hash: str,
    uscc: str,
    created_at: datetime,
    expires_at: datetime,
) -> None:
    session.add(
        PortalLoginLink(
            token_hash=token_hash,
            uscc=uscc,
            created_at=created_at,
            expires_at=expires_at,
        )
    )
    await session.flush()


async def use_link(session: AsyncSession, token_hash: str, now: datetime) -> str | None:
    """Mark an unused, unexpired link used; its USCC, or None.

    One conditional UPDATE: when two requests race for the same link, the
    database lets exactly one of them change the row.
    """
    result = await session.execute(
        update(PortalLoginLink)
        .where(
            PortalLoginLink.token_hash == token_hash,
            PortalLoginLink.used_at.is_(None),
            PortalLoginLink.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        return None
    uscc: str | None = await session.scalar(
        select(PortalLoginLink.uscc).where(PortalLoginLink.token_hash == token_hash)
    )
    return uscc


async def enterprise_name(session: AsyncSession, uscc: str) -> str | None:
    name: str | None = await session.scalar(
        select(Entity.name).where(Entity.uscc == uscc)
    )
    return name
