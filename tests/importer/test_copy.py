"""On PostgreSQL a batch is written by COPY and one upsert per table.

Statements are counted on the connections' wire (``tests/statements.py``):
every batch that stores rows COPYs them into a temporary table and moves
them with one INSERT … ON CONFLICT per table — no multi-row VALUES INSERT,
no executemany UPDATE — and what is stored is exactly what was delivered,
however the text is made.
"""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.clock import FrozenClock
from hub.db import create_engine, make_sessionmaker, migrate
from hub.enums import ObjectionResolution
from hub.importer.service import import_file, import_rows
from hub.uscc import make_uscc
from tests.importer.helpers import (
    USCC_A,
    USCC_B,
    entities,
    entity,
    membership,
    memberships,
    quarantined,
    record,
    records,
    write_jsonl,
)
from tests.importer.test_corrections import object_to, penalty
from tests.statements import Statements, counting

EMPTY = {"inserted": 0, "updated": 0, "unchanged": 0, "quarantined": 0}
Maker = async_sessionmaker[AsyncSession]


@pytest.fixture
async def pg(postgres_url: str) -> AsyncIterator[tuple[Maker, Statements]]:
    migrate(postgres_url)
    engine = create_engine(postgres_url)
    with counting(engine) as seen:
        yield make_sessionmaker(engine), seen
    await engine.dispose()


async def counted(
    pg: tuple[Maker, Statements], rows: list[dict[str, Any]], clock: FrozenClock
) -> tuple[dict[str, int], list[str]]:
    maker, seen = pg
    seen.sql.clear()
    seen.on = True
    try:
        summary = await import_rows(maker, rows, clock)
    finally:
        seen.on = False
    return summary.as_json(), list(seen.sql)


def copies(sql: list[str]) -> list[str]:
    """The tables COPY wrote to, in order."""
    return [s.split()[1].split("(")[0].strip('"') for s in sql if s.startswith("COPY")]


def row_writes(sql: list[str]) -> list[str]:
    """Statements that write import rows other than through COPY."""
    return [
        s
        for s in sql
        if s.startswith(("INSERT", "UPDATE"))
        and any(
            t in s
            for t in ("entities", "credit_records", "list_memberships", "quarantined")
        )
    ]


def upserts(sql: list[str]) -> list[str]:
    return [s for s in sql if s.startswith("WITH batch AS (DELETE FROM hub_import_")]


def bad_uscc(**over: Any) -> dict[str, Any]:
    return entity("91350100M000100Y44", **over)


async def test_a_batch_is_copied_and_moved_by_one_statement_per_table(pg, clock):
    # given a file with an entity, two records, a list row and a bad row
    rows = [
        entity(),
        record(source_id="T-1"),
        record(source_id="T-2"),
        membership(),
        bad_uscc(),
    ]

    # when it is imported on PostgreSQL
    summary, sql = await counted(pg, rows, clock)

    # then each table's rows went out by COPY and one upsert, nothing else
    assert summary == {**EMPTY, "inserted": 4, "quarantined": 1}
    assert copies(sql) == [
        "hub_import_entities",
        "hub_import_credit_records",
        "hub_import_list_memberships",
        "hub_import_quarantined_rows",
    ]
    assert len(upserts(sql)) == 4
    assert [s for s in row_writes(sql) if s not in upserts(sql)] == [
        s for s in row_writes(sql) if "import_runs" in s
    ]
    assert len(await quarantined(pg[0])) == 1


async def test_statements_per_batch_do_not_grow_with_its_rows(pg, clock):
    # given three files of one entity each, with 1, 5 and 500 records, the
    # first warming the connection's type caches
    def file(uscc: str, n: int) -> list[dict[str, Any]]:
        return [entity(uscc), *(record(uscc, f"{uscc}-{i}") for i in range(n))]

    third = make_uscc(random.Random(7))
    await counted(pg, file(third, 1), clock)

    # when the other two are imported
    small, small_sql = await counted(pg, file(USCC_A, 5), clock)
    large, large_sql = await counted(pg, file(USCC_B, 500), clock)

    # then both take the same statements
    assert (small["inserted"], large["inserted"]) == (6, 501)
    assert len(small_sql) == len(large_sql)
    assert copies(large_sql) == ["hub_import_entities", "hub_import_credit_records"]


async def test_a_key_repeated_in_one_batch_is_stored_once_with_its_last_values(
    pg, clock
):
    # given one batch delivering the same record three times, then its entity
    # again with a new name
    rows = [
        entity(),
        record(source_id="T-1", title="第一次"),
        record(source_id="T-1", title="第二次"),
        record(source_id="T-1", title="第二次"),
        entity(name="郑州中原食品股份有限公司"),
    ]

    # when it is imported
    summary, sql = await counted(pg, rows, clock)

    # then the counts follow the file and the last delivery is stored, once
    assert summary == {**EMPTY, "inserted": 2, "updated": 2, "unchanged": 1}
    assert copies(sql) == ["hub_import_entities", "hub_import_credit_records"]
    stored = await records(pg[0])
    assert list(stored) == ["T-1"]
    assert stored["T-1"].title == "第二次"
    assert (await entities(pg[0]))[USCC_A].name == "郑州中原食品股份有限公司"


async def test_reimport_changes_nothing_and_writes_nothing(pg, clock):
    # given a file imported once
    rows = [entity(), record(source_id="T-1"), membership(), bad_uscc()]
    await counted(pg, rows, clock)
    before = {k: (r.id, r.updated_at) for k, r in (await records(pg[0])).items()}

    # when it is imported again
    summary, sql = await counted(pg, rows, clock)

    # then everything is unchanged and only the bad row is stored (again)
    assert summary == {**EMPTY, "unchanged": 3, "quarantined": 1}
    assert copies(sql) == ["hub_import_quarantined_rows"]
    after = {k: (r.id, r.updated_at) for k, r in (await records(pg[0])).items()}
    assert after == before


async def test_a_corrected_record_keeps_its_corrections_through_copy(pg, clock):
    # given two penalties; P1's objection was resolved CORRECTED
    maker = pg[0]
    await counted(pg, [entity(), penalty("P1"), penalty("P2")], clock)
    corrections = {"title": "虚假宣传，罚款5000元", "details": {"fine": 5000}}
    await object_to(maker, clock, "P1", ObjectionResolution.CORRECTED, corrections)

    # when the source delivers both again with a renamed authority
    summary, sql = await counted(
        pg,
        [
            entity(),
            penalty("P1", authority="郑州市市场监管局", kind="ADMIN_PENALTY"),
            penalty("P2", authority="郑州市市场监管局"),
        ],
        clock,
    )

    # then P2 is updated through COPY and P1 keeps its corrected values
    assert summary == {**EMPTY, "updated": 1, "unchanged": 2}
    assert copies(sql) == ["hub_import_credit_records"]
    stored = await records(maker)
    p1, p2 = stored["P1"], stored["P2"]
    assert (p1.title, p1.details, p1.authority, p1.severity) == (
        "虚假宣传，罚款5000元",
        {"fine": 5000},
        "郑州市市场监督管理局",
        "SERIOUS",
    )
    assert p2.authority == "郑州市市场监管局"


async def test_quarantined_rows_mixed_in_are_kept_with_their_reasons(pg, clock):
    # given good rows with bad ones between them
    rows = [
        entity(),
        record(source_id="T-1"),
        record(source_id="T-2", category="tax"),
        record(USCC_B, "T-3"),
        record(source_id="T-4"),
    ]

    # when imported
    summary, sql = await counted(pg, rows, clock)

    # then the good ones are stored and each bad one is kept with its reason
    assert summary == {**EMPTY, "inserted": 3, "quarantined": 2}
    assert sorted(await records(pg[0])) == ["T-1", "T-4"]
    kept = await quarantined(pg[0])
    assert [(q.line_no, q.reason.split(":")[0]) for q in kept] == [
        (3, "line 3"),
        (4, "line 4"),
    ]
    assert "no entity with uscc" in kept[1].reason
    assert copies(sql)[-1] == "hub_import_quarantined_rows"


TRICKY = "制表\t换行\n回车\r反斜杠\\ \\N \\\\ 引号\"' 逗号, 竖线| 𠮷 ﹏ \u2028 "


async def test_text_needing_escapes_round_trips_exactly(pg, clock):
    # given values that COPY's text format would have to escape, and nulls
    details = {
        "rating": "A",
        "note": TRICKY,
        "nested": {"k\t": ["\\", None, "\n"]},
        "n": None,
    }
    rows = [
        entity(name=TRICKY[:200], legal_representative=None, industry_code=None),
        record(
            source_id="T-\\\t1",
            title=TRICKY,
            authority=None,
            details=details,
            occurred_on=None,
        ),
        membership(basis=TRICKY, source=None),
        {"type": "record", "uscc": USCC_A, "title": TRICKY},
    ]

    # when imported
    summary, sql = await counted(pg, rows, clock)

    # then every value reads back exactly as delivered
    assert summary == {**EMPTY, "inserted": 3, "quarantined": 1}
    assert len(copies(sql)) == 4
    e = (await entities(pg[0]))[USCC_A]
    assert (e.name, e.legal_representative, e.industry_code) == (
        TRICKY[:200],
        None,
        None,
    )
    r = (await records(pg[0]))["T-\\\t1"]
    assert (r.title, r.authority, r.details, r.occurred_on) == (
        TRICKY,
        None,
        details,
        None,
    )
    (m,) = await memberships(pg[0])
    assert (m.basis, m.source) == (TRICKY, None)
    (q,) = await quarantined(pg[0])
    assert q.raw == json.dumps(rows[3], ensure_ascii=False)

    # and importing the same rows again finds them all unchanged
    again, _ = await counted(pg, rows, clock)
    assert again == {**EMPTY, "unchanged": 3, "quarantined": 1}


async def test_a_raw_line_needing_escapes_is_quarantined_exactly(pg, clock, tmp_path):
    # given a file line that is not JSON, holding a tab, backslashes and CJK
    line = '{坏行\t\\N \\ "引号" \t尾'
    path = write_jsonl(tmp_path / "bad.jsonl", [line])

    # when imported
    summary = await import_file(pg[0], path, "jsonl", clock)

    # then the quarantine holds the line as it was
    assert summary.as_json() == {**EMPTY, "quarantined": 1}
    (q,) = await quarantined(pg[0])
    assert q.raw == line


async def test_a_failed_batch_leaves_nothing_behind_for_the_next(pg, clock):
    # given a trigger that refuses one title (a fault the database raises
    # after the batch's COPY, inside its transaction)
    maker, _ = pg
    async with maker() as s:
        await s.execute(
            text(
                "CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS"
                " $$ BEGIN IF NEW.title = 'boom' THEN"
                " RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$"
            )
        )
        await s.execute(
            text(
                "CREATE TRIGGER refuse_boom BEFORE INSERT ON credit_records"
                " FOR EACH ROW EXECUTE FUNCTION refuse_boom()"
            )
        )
        await s.commit()
    rows = [
        entity(),
        record(source_id="T-1"),
        record(source_id="T-2", title="boom"),
        record(source_id="T-3"),
    ]

    # when a file whose second batch fails is imported, then again without it
    with pytest.raises(DBAPIError):
        await import_rows(maker, rows, clock, batch_size=2)
    summary = await import_rows(maker, [rows[0], rows[1], rows[3]], clock, batch_size=2)

    # then the first batch stayed, the failed one left no row in any table,
    # and the next import stored exactly its own rows
    assert summary.as_json() == {**EMPTY, "inserted": 1, "unchanged": 2}
    assert sorted(await records(maker)) == ["T-1", "T-3"]
    assert await quarantined(maker) == []


async def test_a_record_without_details_stores_json_null_as_before(pg, clock):
    # given a licence record with no details
    row = record(
        source_id="L-1",
        category="LICENSING",
        kind="ADMIN_LICENSE",
        title="食品经营许可证",
        details=None,
    )

    # when imported
    summary, _ = await counted(pg, [entity(), row], clock)

    # then details hold JSON null, as SQLAlchemy's JSON type writes None
    assert summary == {**EMPTY, "inserted": 2}
    async with pg[0]() as s:
        stored = await s.scalar(text("SELECT details::text FROM credit_records"))
    assert stored == "null"
