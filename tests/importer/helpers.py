"""Row builders and database peeks shared by the importer tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.models import CreditRecord, Entity, ListMembership, QuarantinedRow

USCC_A = "91350100M000100Y43"
USCC_B = "91110000100017643K"


def entity(uscc: str = USCC_A, **over: Any) -> dict[str, Any]:
    row = {
        "type": "entity",
        "uscc": uscc,
        "name": "郑州中原食品有限公司",
        "kind": "ENTERPRISE",
        "region_code": "410100",
        "industry_code": "C14",
        "established_on": "2015-03-02",
        "registered_capital": 5000000,
        "legal_representative": "王伟",
        "status": "存续",
    }
    row.update(over)
    return row


def record(
    uscc: str = USCC_A, source_id: str = "T-2025-0001", **over: Any
) -> dict[str, Any]:
    row = {
        "type": "record",
        "uscc": uscc,
        "source": "henan-tax",
        "source_id": source_id,
        "category": "TAX",
        "kind": "TAX_RATING",
        "severity": "NONE",
        "title": "2025年度纳税信用等级 A",
        "authority": "国家税务总局河南省税务局",
        "occurred_on": "2025-12-31",
        "decided_on": "2026-04-01",
        "publish_from": "2026-04-01",
        "publish_until": None,
        "details": {"rating": "A"},
    }
    row.update(over)
    return row


def membership(uscc: str = USCC_A, **over: Any) -> dict[str, Any]:
    row = {
        "type": "list",
        "uscc": uscc,
        "kind": "BLACK",
        "list_name": "失信被执行人名单",
        "basis": "（2025）豫01执123号",
        "since": "2025-06-01",
        "until": None,
    }
    row.update(over)
    return row


def write_jsonl(path: Path, rows: list[dict[str, Any] | str]) -> Path:
    lines = [
        r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def all_of(maker: async_sessionmaker[AsyncSession], model: Any) -> list[Any]:
    async with maker() as session:
        return list((await session.scalars(select(model))).all())


async def entities(maker: async_sessionmaker[AsyncSession]) -> dict[str, Entity]:
    return {e.uscc: e for e in await all_of(maker, Entity)}


async def records(
    maker: async_sessionmaker[AsyncSession],
) -> dict[str, CreditRecord]:
    return {r.source_id: r for r in await all_of(maker, CreditRecord)}


async def memberships(maker: async_sessionmaker[AsyncSession]) -> list[ListMembership]:
    return await all_of(maker, ListMembership)


async def quarantined(maker: async_sessionmaker[AsyncSession]) -> list[QuarantinedRow]:
    rows = await all_of(maker, QuarantinedRow)
    return sorted(rows, key=lambda q: q.id)
