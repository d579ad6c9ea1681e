"""Idempotent upserts: counts, update detection, expiry, data_version."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from hub.importer.service import import_file
from hub.models import CreditRecord
from tests.importer.helpers import (
    USCC_A,
    USCC_B,
    entities,
    entity,
    membership,
    quarantined,
    record,
    records,
    write_jsonl,
)


async def test_second_import_of_same_file_changes_nothing(
    sessionmaker, clock, tmp_path
):
    # given a file with two entities, two records and a list membership
    path = write_jsonl(
        tmp_path / "rows.jsonl",
        [
            entity(USCC_A),
            entity(USCC_B, name="开封黄河商贸有限公司"),
            record(USCC_A),
            record(USCC_B, source_id="T-2025-0002"),
            membership(USCC_A),
        ],
    )

    # when it is imported twice
    first = await import_file(sessionmaker, path, "jsonl", clock)
    second = await import_file(sessionmaker, path, "jsonl", clock)

    # then the first run inserts everything and the second changes nothing
    assert first.as_json() == {
        "inserted": 5,
        "updated": 0,
        "unchanged": 0,
        "quarantined": 0,
    }
    assert second.as_json() == {
        "inserted": 0,
        "updated": 0,
        "unchanged": 5,
        "quarantined": 0,
    }
    stored = await entities(sessionmaker)
    assert sorted(stored) == sorted([USCC_A, USCC_B])
    assert stored[USCC_A].created_at == clock.now()
    assert stored[USCC_A].data_version == 1
    assert (await records(sessionmaker))["T-2025-0001"].status == "ACTIVE"


async def test_changed_rows_are_updated_and_bump_data_version(
    sessionmaker, clock, tmp_path
):
    # given two entities with one record each, imported once
    rows = [entity(USCC_A), entity(USCC_B), record(USCC_A, "R1"), record(USCC_B, "R2")]
    await import_file(
        sessionmaker, write_jsonl(tmp_path / "a.jsonl", rows), "jsonl", clock
    )

    # when a later file renames entity A and changes B's record title
    clock.advance(days=1)
    changed = [
        entity(USCC_A, name="郑州中原食品股份有限公司"),
        entity(USCC_B),
        record(USCC_A, "R1"),
        record(USCC_B, "R2", title="2025年度纳税信用等级 B", details={"rating": "B"}),
    ]
    summary = await import_file(
        sessionmaker, write_jsonl(tmp_path / "b.jsonl", changed), "jsonl", clock
    )

    # then exactly those two rows count as updated and both entities'
    # data_version moves on once
    assert summary.as_json() == {
        "inserted": 0,
        "updated": 2,
        "unchanged": 2,
        "quarantined": 0,
    }
    stored = await entities(sessionmaker)
    assert stored[USCC_A].name == "郑州中原食品股份有限公司"
    assert stored[USCC_A].updated_at == clock.now()
    assert stored[USCC_A].data_version == 2
    assert stored[USCC_B].data_version == 2
    assert stored[USCC_B].updated_at != clock.now()
    r2 = (await records(sessionmaker))["R2"]
    assert (r2.title, r2.details, r2.updated_at) == (
        "2025年度纳税信用等级 B",
        {"rating": "B"},
        clock.now(),
    )


async def test_record_whose_window_has_passed_is_stored_expired(
    sessionmaker, clock, tmp_path
):
    # given a MINOR penalty published until 2026-06-30 (today is 2026-11-23)
    penalty = record(
        USCC_A,
        "P1",
        category="PENALTY",
        kind="ADMIN_PENALTY",
        severity="MINOR",
        title="未按规定公示年度报告",
        decided_on="2026-04-01",
        publish_from="2026-04-01",
        publish_until="2026-06-30",
        ended_on="2026-04-20",
        details=None,
    )
    path = write_jsonl(tmp_path / "p.jsonl", [entity(), penalty])

    # when it is imported
    await import_file(sessionmaker, path, "jsonl", clock)

    # then it is EXPIRED and keeps its end date
    stored = (await records(sessionmaker))["P1"]
    assert (stored.status, str(stored.ended_on)) == ("EXPIRED", "2026-04-20")


async def test_key_repeated_in_one_file_inserts_then_updates(
    sessionmaker, clock, tmp_path
):
    # given a file naming the same record twice with different titles
    path = write_jsonl(
        tmp_path / "dup.jsonl",
        [
            entity(),
            record(title="旧标题"),
            record(title="新标题"),
            record(title="新标题"),
        ],
    )

    # when it is imported
    summary = await import_file(sessionmaker, path, "jsonl", clock)

    # then one insert, one update, one unchanged; the last version wins
    assert summary.as_json() == {
        "inserted": 2,
        "updated": 1,
        "unchanged": 1,
        "quarantined": 0,
    }
    assert [r.title for r in (await records(sessionmaker)).values()] == ["新标题"]


async def test_reimport_leaves_a_disputed_record_disputed(
    sessionmaker, clock, tmp_path
):
    # given an imported record that an objection has marked DISPUTED
    path = write_jsonl(tmp_path / "r.jsonl", [entity(), record()])
    await import_file(sessionmaker, path, "jsonl", clock)
    async with sessionmaker() as session, session.begin():
        await session.execute(update(CreditRecord).values(status="DISPUTED"))

    # when the same file is imported again
    summary = await import_file(sessionmaker, path, "jsonl", clock)

    # then the workflow status stands (征信业管理条例 Art 25) and nothing changed
    assert summary.as_json()["unchanged"] == 2
    assert (await records(sessionmaker))["T-2025-0001"].status == "DISPUTED"


async def test_records_find_entities_from_earlier_batches_only(
    sessionmaker, clock, tmp_path
):
    # given batches of two rows: A's record comes a batch after A, and B's
    # record comes before B
    path = write_jsonl(
        tmp_path / "order.jsonl",
        [
            entity(USCC_A),
            membership(USCC_A),
            record(USCC_A, "R1"),
            record(USCC_B, "R2"),
            entity(USCC_B),
        ],
    )

    # when it is imported in batches of two
    summary = await import_file(sessionmaker, path, "jsonl", clock, batch_size=2)

    # then only the record that precedes its entity is quarantined
    assert summary.as_json() == {
        "inserted": 4,
        "updated": 0,
        "unchanged": 0,
        "quarantined": 1,
    }
    [q] = await quarantined(sessionmaker)
    assert (q.line_no, q.row_type) == (4, "record")
    assert q.reason == (
        f"line 4: no entity with uscc '{USCC_B}' in the hub or earlier in this "
        "file; import its entity row first, then run `xinyi-hub quarantine "
        "resubmit`"
    )


@pytest.mark.parametrize("workflow", ["REVOKED", "REPAIRED", "DISPUTED"])
async def test_explicit_status_never_revives_a_workflow_status(
    sessionmaker, clock, tmp_path, workflow
):
    # given a record the objection or repair procedure took over
    path = write_jsonl(tmp_path / "r.jsonl", [entity(), record()])
    await import_file(sessionmaker, path, "jsonl", clock)
    async with sessionmaker() as session, session.begin():
        await session.execute(update(CreditRecord).values(status=workflow))

    # when a delivery names the record ACTIVE again
    again = write_jsonl(tmp_path / "a.jsonl", [entity(), record(status="ACTIVE")])
    await import_file(sessionmaker, again, "jsonl", clock)

    # then the workflow status stands
    assert (await records(sessionmaker))["T-2025-0001"].status == workflow
