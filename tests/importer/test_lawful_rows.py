"""Rows the law rules out are quarantined with the reason; list rows name their
record, and a delivery that ends the record ends the list."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from hub.importer.service import import_rows
from hub.models import AuditEvent
from tests.importer.helpers import (
    entity,
    membership,
    memberships,
    quarantined,
    record,
    records,
)


def grade(source_id: str, **details: Any) -> dict[str, Any]:
    return record(source_id=source_id, details=details)


@pytest.mark.parametrize(
    ("details", "reason"),
    [
        ({"rating": "A", "score": 93.5}, None),
        ({"rating": "A"}, None),  # the file need not carry the score
        ({"rating": "D", "score": 75, "serious_dishonesty": True}, None),
        ({"rating": "M", "m_basis": "NEW"}, None),
        ({"rating": "M", "m_basis": "NO_REVENUE", "score": 70}, None),
        (
            {"rating": "A", "score": 95, "serious_dishonesty": True},
            "grade A with serious dishonesty: serious dishonesty is rated D directly",
        ),
        ({"rating": "M"}, "grade M is only for a new taxpayer or one without"),
        ({"rating": "M", "m_basis": "BIG"}, "details.m_basis must say which"),
        (
            {"rating": "M", "m_basis": "NO_REVENUE", "score": 69.5},
            "grade M needs a score of at least 70; 69.5 is grade C",
        ),
        ({"rating": "B", "score": 90}, "score 90 means grade A, not B"),
        ({"rating": "D", "score": 75}, "score 75 means grade B, not D"),
        ({"rating": "E"}, "details.rating must be one of A, B, M, C, D"),
        ({"rating": "A", "score": 101}, "details.score must be a number from 0"),
    ],
)
async def test_impossible_tax_grades_are_quarantined(
    sessionmaker, clock, details: dict[str, Any], reason: str | None
):
    # 纳税缴费信用管理办法 (2025)
    summary = await import_rows(sessionmaker, [entity(), grade("T", **details)], clock)
    if reason is None:
        assert summary.quarantined == 0
        assert (await records(sessionmaker))["T"].details == details
    else:
        [q] = await quarantined(sessionmaker)
        assert q.reason.startswith("line 2: ") and reason in q.reason
        assert "纳税缴费信用管理办法" in q.reason or "details.score" in q.reason


async def test_a_list_row_names_its_record_with_both_fields(sessionmaker, clock):
    rows = [
        entity(),
        membership(record_source="court-dishonest", record_source_id="DIS-1"),
        membership(since="2025-07-01", record_source="court-dishonest"),
    ]
    summary = await import_rows(sessionmaker, rows, clock)
    assert summary.quarantined == 1
    [m] = await memberships(sessionmaker)
    assert (m.record_source, m.record_source_id, m.status) == (
        "court-dishonest",
        "DIS-1",
        "ACTIVE",
    )
    [q] = await quarantined(sessionmaker)
    assert "give both or neither" in q.reason


def court_record(**over: Any) -> dict[str, Any]:
    return record(
        source="court-dishonest",
        source_id="DIS-1",
        category="JUDICIAL",
        kind="DISHONEST_JUDGMENT_DEBTOR",
        severity="SERIOUS",
        title="失信被执行人",
        decided_on="2025-06-01",
        publish_from="2025-06-01",
        details={"circumstance": "违反限制消费令"},
        **over,
    )


async def test_a_delivery_reporting_performance_ends_the_listing(sessionmaker, clock):
    # given a court record and the BLACK membership resting on it
    listed = membership(record_source="court-dishonest", record_source_id="DIS-1")
    other = membership(since="2025-07-01", basis="其他")
    await import_rows(sessionmaker, [entity(), court_record(), listed, other], clock)
    # when the court's delivery reports the obligation performed (SPC Art 10)
    summary = await import_rows(
        sessionmaker, [court_record(ended_on="2026-11-20")], clock
    )
    # then the record expires and the listing on it ends; the other stays
    assert summary.updated == 1
    assert (await records(sessionmaker))["DIS-1"].status == "EXPIRED"
    ended = {(m.basis, m.status, m.end_reason) for m in await memberships(sessionmaker)}
    assert ended == {
        ("（2025）豫01执123号", "ENDED", "PERFORMED"),
        ("其他", "ACTIVE", None),
    }
    async with sessionmaker() as s:
        event = (
            await s.scalars(select(AuditEvent).where(AuditEvent.action == "list.end"))
        ).one()
    assert (event.outcome, event.actor_id) == ("DELISTED", "system")
    # and a re-delivery of the membership row does not revive it
    await import_rows(sessionmaker, [listed], clock)
    assert {m.status for m in await memberships(sessionmaker) if m.record_source} == {
        "ENDED"
    }


async def test_a_decision_revoked_at_the_source_ends_its_listing(sessionmaker, clock):
    penalty = record(
        source="market-regulation",
        source_id="P-1",
        category="PENALTY",
        kind="ADMIN_PENALTY",
        severity="SERIOUS",
        decided_on="2026-01-10",
        publish_from="2026-01-10",
        publish_until=None,
        details=None,
    )
    listed = membership(
        list_name="严重违法失信名单",
        record_source="market-regulation",
        record_source_id="P-1",
    )
    await import_rows(sessionmaker, [entity(), penalty, listed], clock)
    await import_rows(sessionmaker, [{**penalty, "status": "REVOKED"}], clock)
    [m] = await memberships(sessionmaker)
    assert (m.status, m.end_reason) == ("ENDED", "RECORD_REVOKED")
