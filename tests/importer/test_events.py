"""An import announces what it changed, in each batch's own transaction."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.clock import FrozenClock
from hub.importer.service import import_rows
from hub.models import CreditRecord, OutboxEvent

USCC = "91350100M000100Y43"
ENTITY = {
    "type": "entity",
    "uscc": USCC,
    "name": "郑州示范科技有限公司",
    "kind": "ENTERPRISE",
    "region_code": "410100",
    "status": "存续",
}


def _record(source_id: str, **kw: Any) -> dict[str, Any]:
    return {
        "type": "record",
        "uscc": USCC,
        "source": "market-regulation",
        "source_id": source_id,
        "category": "PENALTY",
        "kind": "ADMIN_PENALTY",
        "severity": "ORDINARY",
        "title": "罚款 5 万元",
        "decided_on": "2026-10-01",
        "publish_from": "2026-10-01",
        "publish_until": "2027-10-01",
        **kw,
    }


def _list(**kw: Any) -> dict[str, Any]:
    return {
        "type": "list",
        "uscc": USCC,
        "kind": "BLACK",
        "list_name": "失信被执行人名单",
        "basis": "（2025）豫01执123号",
        "since": "2025-06-01",
        "until": None,
        **kw,
    }


async def _events(maker: async_sessionmaker[AsyncSession]) -> list[tuple[Any, ...]]:
    async with maker() as s:
        rows = await s.scalars(select(OutboxEvent).order_by(OutboxEvent.n))
        return [
            (
                e.type,
                e.record_id,
                e.category,
                ((e.data or {}).get("list") or {}).get("until"),
            )
            for e in rows
        ]


async def _id(maker: async_sessionmaker[AsyncSession], source_id: str) -> int:
    async with maker() as s:
        found = await s.scalar(
            select(CreditRecord.id).where(CreditRecord.source_id == source_id)
        )
    assert found is not None
    return int(found)


async def test_new_changed_and_ended_rows_are_announced(
    sessionmaker: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    # when an import brings a penalty, a positive record, a listing in force
    # and one that already ended
    rows = [
        ENTITY,
        _record("P-1"),
        _record(
            "T-1",
            category="TAX",
            kind="TAX_RATING",
            severity="NONE",
            title="纳税信用 A",
            publish_until=None,
        ),
        _list(),
        _list(
            kind="FOCUS",
            list_name="重点关注名单",
            since="2024-01-01",
            until="2025-01-01",
        ),
    ]
    await import_rows(sessionmaker, rows, clock)
    # then the penalty and the listing in force are announced
    penalty = await _id(sessionmaker, "P-1")
    assert await _events(sessionmaker) == [
        ("NEW_NEGATIVE_RECORD", penalty, "PENALTY", None),
        ("LISTED", None, "BASIC", None),
    ]

    # when the same rows come again, nothing is
    await import_rows(sessionmaker, rows, clock)
    assert len(await _events(sessionmaker)) == 2

    # when the source corrects one record, revokes another and the listing ends
    await import_rows(sessionmaker, [_record("P-2")], clock)
    yesterday = (clock.today() - timedelta(days=1)).isoformat()
    await import_rows(
        sessionmaker,
        [
            _record("P-1", title="罚款 3 万元"),
            _record("P-2", status="REVOKED"),
            _list(until=yesterday),
        ],
        clock,
    )
    second = await _id(sessionmaker, "P-2")
    events = await _events(sessionmaker)
    assert events[2] == ("NEW_NEGATIVE_RECORD", second, "PENALTY", None)
    assert sorted(events[3:]) == [
        ("DELISTED", None, "BASIC", yesterday),
        ("RECORD_CORRECTED", penalty, "PENALTY", None),
        ("RECORD_REVOKED", second, "PENALTY", None),
    ]
