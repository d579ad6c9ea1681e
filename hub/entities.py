"""Entities: the public registration data, and the bookkeeping shared by every
path that changes an entity's records."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Table, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub.models import Entity

__all__ = ["bump_data_version", "registration"]

_ENTITIES: Table = Entity.__table__  # type: ignore[assignment]


async def bump_data_version(session: AsyncSession, usccs: Iterable[str]) -> None:
    """These entities' records or lists changed: the evaluation cache (keyed on
    ``data_version``) recomputes, and so do the decisions built on it."""
    keys = sorted(set(usccs))
    if keys:
        await session.execute(
            update(_ENTITIES)
            .where(_ENTITIES.c.uscc.in_(keys))
            .values(data_version=_ENTITIES.c.data_version + 1)
        )


async def registration(session: AsyncSession, uscc: str) -> Entity | None:
    """Basic registration data (name, kind, region, status).

    Public register data (企业信用信息公示), so any authenticated principal
    may read it without the door; records, lists and evaluations are
    subject data and go through :mod:`hub.access.door`.
    """
    return await session.get(Entity, uscc)
