"""Deliveries never undo an objection's corrections nor move a record."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.auth.principal import Principal
from hub.clock import FrozenClock
from hub.db import session_scope
from hub.enums import ObjectionResolution, PrincipalKind
from hub.importer.service import import_rows
from hub.models import Entity
from hub.rights.objections import file_objection, resolve_objection
from tests.importer.helpers import (
    USCC_A,
    USCC_B,
    entity,
    quarantined,
    record,
    records,
)

ADMIN = Principal(id="admin-1", kind=PrincipalKind.ADMIN, name="平台管理员")
EMPTY = {"inserted": 0, "updated": 0, "unchanged": 0, "quarantined": 0}


def penalty(source_id: str, **over: Any) -> dict[str, Any]:
    row = record(
        USCC_A,
        source_id,
        source="market-regulation",
        category="PENALTY",
        kind="ADMIN_PENALTY",
        severity="SERIOUS",
        title="虚假宣传，罚款50000元",
        authority="郑州市市场监督管理局",
        occurred_on="2026-05-01",
        decided_on="2026-06-01",
        publish_from="2026-06-01",
        publish_until="2029-06-01",
        details={"fine": 50000},
    )
    row.update(over)
    return row


async def object_to(
    maker: async_sessionmaker[AsyncSession],
    clock: FrozenClock,
    source_id: str,
    resolution: ObjectionResolution,
    corrections: dict[str, Any] | None = None,
) -> None:
    """File an objection to the record and resolve it, as an admin would."""
    hub = SimpleNamespace(clock=clock)  # the workflow reads only the clock
    record_id = (await records(maker))[source_id].id
    async with session_scope(maker) as s:
        filed = await file_objection(
            s, hub, ADMIN, record_id=str(record_id), reason="处罚决定已变更"
        )
    async with session_scope(maker) as s:
        await resolve_objection(
            s,
            hub,
            ADMIN,
            objection_id=filed.id,
            resolution=resolution,
            note="已核实",
            corrections=corrections,
        )


async def data_version(maker: async_sessionmaker[AsyncSession]) -> int:
    async with maker() as s:
        return int(await s.scalar(select(Entity.data_version)) or 0)


async def test_reimport_keeps_the_corrections_of_an_objection(sessionmaker, clock):
    # given two penalties; P1's objection was resolved CORRECTED, P2's UPHELD
    await import_rows(sessionmaker, [entity(), penalty("P1"), penalty("P2")], clock)
    corrections = {
        "severity": "ORDINARY",
        "title": "虚假宣传，罚款5000元",
        "publish_until": "2027-06-01",
        "details": {"fine": 5000},
    }
    await object_to(
        sessionmaker, clock, "P1", ObjectionResolution.CORRECTED, corrections
    )
    await object_to(sessionmaker, clock, "P2", ObjectionResolution.UPHELD)
    version = await data_version(sessionmaker)

    # when the source delivers both again, with its original values and a
    # renamed authority
    summary = await import_rows(
        sessionmaker,
        [
            entity(),
            penalty("P1", authority="郑州市市场监管局"),
            penalty("P2", authority="郑州市市场监管局"),
        ],
        clock,
    )

    # then the corrected record keeps every correctable field (征信业管理条例
    # Art 25) and counts as unchanged; the upheld one takes the delivery
    assert summary.as_json() == {**EMPTY, "updated": 1, "unchanged": 2}
    stored = await records(sessionmaker)
    p1, p2 = stored["P1"], stored["P2"]
    assert (
        p1.severity,
        p1.title,
        str(p1.publish_until),
        p1.details,
        p1.authority,
        p1.status,
    ) == (
        "ORDINARY",
        "虚假宣传，罚款5000元",
        "2027-06-01",
        {"fine": 5000},
        "郑州市市场监督管理局",
        "ACTIVE",
    )
    assert (p2.authority, p2.severity, p2.status) == (
        "郑州市市场监管局",
        "SERIOUS",
        "ACTIVE",
    )
    assert await data_version(sessionmaker) == version + 1


async def test_status_follows_the_corrected_window(sessionmaker, clock):
    # given a penalty whose window was corrected to end before today (23 Nov)
    await import_rows(sessionmaker, [entity(), penalty("P1")], clock)
    await object_to(
        sessionmaker,
        clock,
        "P1",
        ObjectionResolution.CORRECTED,
        {"publish_until": "2026-11-20"},
    )
    assert (await records(sessionmaker))["P1"].status == "ACTIVE"

    # when the source delivers its original three-year window again
    summary = await import_rows(sessionmaker, [penalty("P1")], clock)

    # then the corrected window stands and has lapsed
    assert summary.as_json() == {**EMPTY, "updated": 1}
    p1 = (await records(sessionmaker))["P1"]
    assert (str(p1.publish_until), p1.status) == ("2026-11-20", "EXPIRED")


async def test_row_moving_a_record_to_another_enterprise_is_quarantined(
    sessionmaker, clock
):
    # given two entities and a record of A
    await import_rows(sessionmaker, [entity(USCC_A), entity(USCC_B), record()], clock)

    # when a file names A's record for B, and a new record first for A then B
    summary = await import_rows(
        sessionmaker,
        [record(USCC_B), record(USCC_A, "R2"), record(USCC_B, "R2")],
        clock,
        source_file="move.jsonl",
    )

    # then both moves are quarantined and the records stay with A
    assert summary.as_json() == {**EMPTY, "inserted": 1, "quarantined": 2}
    assert [(q.line_no, q.reason) for q in await quarantined(sessionmaker)] == [
        (
            line,
            f"line {line}: record ('henan-tax', {sid!r}) belongs to uscc "
            f"'{USCC_A}' and cannot move to '{USCC_B}'; a record never changes "
            "its subject — correct the uscc, or deliver the other enterprise's "
            "record under its own source_id",
        )
        for line, sid in ((1, "T-2025-0001"), (3, "R2"))
    ]
    stored = await records(sessionmaker)
    assert {k: r.uscc for k, r in stored.items()} == {
        "T-2025-0001": USCC_A,
        "R2": USCC_A,
    }
