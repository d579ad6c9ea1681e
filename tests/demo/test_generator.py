"""The demo generator: deterministic, valid, and covering every category."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import typer
from sqlalchemy import func, select
from typer.testing import CliRunner

from hub.demo.generator import generate, seed_demo
from hub.enums import DataCategory, ListKind
from hub.importer.rows import parse_row
from hub.models import CreditRecord, Entity
from hub.root.commands.generate import register
from hub.uscc import is_valid

TODAY = date(2026, 11, 23)
SOURCES = {
    "henan-tax",
    "court-dishonest",
    "market-regulation",
    "utilities",
    "social-insurance",
    "credit-commitment",
    "honors",
}


def test_same_seed_gives_identical_rows_and_another_seed_differs():
    # when the same seed runs twice and a third run uses another seed
    first = list(generate(50, 7, TODAY))
    second = list(generate(50, 7, TODAY))
    other = list(generate(50, 8, TODAY))

    # then the first two are identical and the third is not
    assert first == second
    assert first != other
    assert {r["uscc"] for r in first}.isdisjoint({r["uscc"] for r in other})


def test_rows_are_valid_and_cover_every_category_and_list_kind():
    # given 500 generated entities
    rows = list(generate(500, 2026, TODAY))
    by_type = Counter(r["type"] for r in rows)
    recs = [r for r in rows if r["type"] == "record"]
    lists = [r for r in rows if r["type"] == "list"]

    # then every row passes the importer's validation and every USCC is valid
    for r in rows:
        parse_row(r)
    assert by_type["entity"] == 500
    entities = [r for r in rows if r["type"] == "entity"]
    assert all(is_valid(e["uscc"]) for e in entities)
    assert {e["region_code"][:2] for e in entities} == {"41"}
    assert len({e["uscc"] for e in entities}) == 500
    # every record category (EVALUATION and BASIC are not records) and list kind
    assert {r["category"] for r in recs} == set(DataCategory) - {
        DataCategory.EVALUATION,
        DataCategory.BASIC,
    }
    # WHITE memberships come from approved white-list applications, not data
    assert {r["kind"] for r in lists} == set(ListKind) - {ListKind.WHITE}
    assert {r["source"] for r in recs} == SOURCES
    keys = [(r["source"], r["source_id"]) for r in recs]
    assert len(keys) == len(set(keys))
    # negative records all say when their publication ends — except a court
    # listing for circumstance (一), which has no fixed term (SPC 2017 Art 2)
    assert all(
        r["publish_until"]
        or r["details"]["circumstance"].startswith("有履行能力而拒不履行")
        for r in recs
        if r["severity"] != "NONE"
    )
    assert any(r["publish_until"] is None for r in recs if r["severity"] != "NONE")
    # some records have already left their publication window
    assert any(r["publish_until"] and r["publish_until"] < "2026-11-23" for r in recs)
    ratings = Counter(r["details"]["rating"] for r in recs if r["kind"] == "TAX_RATING")
    assert set(ratings) == {"A", "B", "M", "C", "D"}
    assert ratings["A"] > ratings["C"] > ratings["D"]


def test_every_black_list_entry_is_backed_by_a_court_record():
    # given the generated BLACK list entries and dishonest-debtor records
    rows = list(generate(500, 2026, TODAY))
    court = {
        (r["uscc"], r["details"]["case_number"])
        for r in rows
        if r["type"] == "record" and r["kind"] == "DISHONEST_JUDGMENT_DEBTOR"
    }
    black = [r for r in rows if r["type"] == "list" and r["kind"] == "BLACK"]

    # then each names the case number of a court record of the same entity
    assert black
    assert {(r["uscc"], r["basis"]) for r in black} == court
    assert all(r["list_name"] == "失信被执行人名单" for r in black)
    # and names that record, so its end (performance) ends the listing
    assert all(
        (r["record_source"], r["record_source_id"]) == ("court-dishonest", r["basis"])
        for r in black
    )


async def test_seed_demo_loads_everything_through_the_importer(sessionmaker, clock):
    # when 500 entities are seeded twice
    first = await seed_demo(sessionmaker, 500, 2026, clock)
    second = await seed_demo(sessionmaker, 500, 2026, clock)

    # then nothing is quarantined and the second run changes nothing
    expected = len(list(generate(500, 2026, clock.today())))
    assert first.as_json() == {
        "inserted": expected,
        "updated": 0,
        "unchanged": 0,
        "quarantined": 0,
    }
    assert second.as_json() == {
        "inserted": 0,
        "updated": 0,
        "unchanged": expected,
        "quarantined": 0,
    }
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Entity)) == 500
        expired = await session.scalar(
            select(func.count())
            .select_from(CreditRecord)
            .where(CreditRecord.status == "EXPIRED")
        )
    assert expired and expired > 0


def test_generate_command_writes_the_file(tmp_path):
    # given the generate command on a bare app
    app = typer.Typer()
    register(app)
    app.command("noop")(lambda: None)  # keep sub-command routing
    out = tmp_path / "demo.jsonl"

    # when it writes 20 entities
    result = CliRunner().invoke(
        app,
        [
            "generate",
            str(out),
            "--entities",
            "20",
            "--seed",
            "3",
            "--today",
            "2026-11-23",
        ],
    )

    # then the file holds exactly the generated rows
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == list(generate(20, 3, TODAY))
