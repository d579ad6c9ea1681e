"""Entities: the public registration data, and the bookkeeping shared by every
path that changes an entity's records."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import Table, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub.errors import ErrorCode, HubError
from hub.models import Entity

__all__ = [
    "bump_data_version",
    "check_industry_code",
    "check_region_code",
    "region_prefix",
    "registration",
]

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


def region_prefix(region_code: str) -> str:
    """The code prefix a GB/T 2260 division covers: ``410000`` (a province)
    covers ``41…``, ``410400`` (a city) ``4104…``, ``410411`` only itself."""
    code = region_code
    for _ in range(2):
        if code.endswith("00") and len(code) > 2:
            code = code[:-2]
    return code


_REGION = re.compile(r"^\d{6}$")
_INDUSTRY = re.compile(r"^[A-T](\d{2}){0,2}\d?$")


def check_region_code(code: str) -> str:
    """A GB/T 2260 division code: six digits (VALIDATION_ERROR otherwise)."""
    if not _REGION.match(code):
        raise HubError(
            f"regionCode {code!r} must be a six-digit GB/T 2260 division code, "
            "e.g. 410400.",
            ErrorCode.VALIDATION_ERROR,
        )
    return code


def check_industry_code(code: str) -> str:
    """A GB/T 4754 industry code or prefix: a section letter and 0–4 digits."""
    if not _INDUSTRY.match(code):
        raise HubError(
            f"industryCode {code!r} must be a GB/T 4754 code such as C, C13 or C131.",
            ErrorCode.VALIDATION_ERROR,
        )
    return code
