"""Bad rows are quarantined with line and reason; good rows still load."""

from __future__ import annotations

import json

from hub.importer import quarantine as service
from hub.importer.service import import_file
from tests.importer.helpers import (
    USCC_A,
    USCC_B,
    entity,
    membership,
    quarantined,
    record,
    records,
    write_jsonl,
)

MIXED = [
    entity(USCC_A),  # 1 ok
    record(USCC_A, "R1"),  # 2 ok
    entity("91350100M000100Y44"),  # 3 check char
    entity("91350100m000100Y43"),  # 4 lower case
    record(USCC_A, "R5", category="TAXES"),  # 5 unknown enum
    {k: v for k, v in record(USCC_A, "R6").items() if k != "title"},  # 6 missing
    record(USCC_B, "R7"),  # 7 unknown entity
    '{"type": "entity", "uscc": ',  # 8 malformed JSON
    record(
        USCC_A,
        "R9",
        category="PENALTY",
        kind="ADMIN_PENALTY",
        severity="ORDINARY",
        decided_on="2026-01-10",
        publish_from="2026-01-10",
        publish_until="2027-02-10",
    ),  # 9 window
    membership(USCC_A),  # 10 ok
    entity(USCC_B, shoe_size=42),  # 11 unknown field
]


async def test_mixed_file_loads_good_rows_and_quarantines_each_bad_one(
    sessionmaker, clock, tmp_path
):
    # given a file mixing three good rows with eight bad ones
    path = write_jsonl(tmp_path / "mixed.jsonl", MIXED)

    # when it is imported
    summary = await import_file(sessionmaker, path, "jsonl", clock)

    # then the good rows load and every bad row is kept with line and reason
    assert summary.as_json() == {
        "inserted": 3,
        "updated": 0,
        "unchanged": 0,
        "quarantined": 8,
    }
    assert list(await records(sessionmaker)) == ["R1"]
    rows = await quarantined(sessionmaker)
    assert [(q.source_file, q.line_no, q.row_type) for q in rows] == [
        ("mixed.jsonl", 3, "entity"),
        ("mixed.jsonl", 4, "entity"),
        ("mixed.jsonl", 5, "record"),
        ("mixed.jsonl", 6, "record"),
        ("mixed.jsonl", 7, "record"),
        ("mixed.jsonl", 8, None),
        ("mixed.jsonl", 9, "record"),
        ("mixed.jsonl", 11, "entity"),
    ]
    reasons = [q.reason for q in rows]
    assert reasons[0] == (
        "line 3: uscc '91350100M000100Y44': check character "
        "(position 18, GB 32100) does not match"
    )
    assert reasons[1] == (
        "line 4: uscc '91350100m000100Y43': character 'm' is not allowed "
        "(upper-case digits and letters without I, O, S, V, Z)"
    )
    assert reasons[2].startswith("line 5: category: Input should be 'BASIC'")
    assert reasons[2].endswith("(got 'TAXES')")
    assert reasons[3] == "line 6: missing field 'title'"
    assert reasons[4].startswith(f"line 7: no entity with uscc '{USCC_B}'")
    assert reasons[5].startswith("line 8: malformed JSON: ")
    assert reasons[6] == (
        "line 9: publish_until 2027-02-10 exceeds the ORDINARY window: at most "
        "12 months from decided_on 2026-01-10 (until 2027-01-10, 信用修复管理办法)"
    )
    assert reasons[7] == "line 11: unknown field 'shoe_size'"
    assert rows[5].raw == '{"type": "entity", "uscc": '
    assert all(q.resolved_at is None and q.created_at == clock.now() for q in rows)


async def test_resubmit_loads_rows_whose_entity_arrived_later(
    sessionmaker, clock, tmp_path
):
    # given a record quarantined because its entity was unknown, and a bad row
    await import_file(
        sessionmaker,
        write_jsonl(
            tmp_path / "recs.jsonl",
            [
                record(USCC_B, "R7"),
                entity("91350100M000100Y44"),
            ],
        ),
        "jsonl",
        clock,
    )
    # ... and the entity imported since
    await import_file(
        sessionmaker,
        write_jsonl(
            tmp_path / "ents.jsonl",
            [
                entity(USCC_B),
            ],
        ),
        "jsonl",
        clock,
    )

    # when the quarantine is resubmitted
    clock.advance(hours=1)
    summary = await service.resubmit(sessionmaker, clock)

    # then the record loads and is resolved; the bad entity stays quarantined
    assert summary.as_json() == {
        "inserted": 1,
        "updated": 0,
        "unchanged": 0,
        "quarantined": 1,
    }
    assert (await records(sessionmaker))["R7"].uscc == USCC_B
    first, second = await quarantined(sessionmaker)
    assert (first.line_no, first.resolved_at) == (1, clock.now())
    assert (second.line_no, second.resolved_at) == (2, None)
    assert second.reason.startswith("line 2: uscc '91350100M000100Y44'")
    again = await service.resubmit(sessionmaker, clock)
    assert again.as_json() == {
        "inserted": 0,
        "updated": 0,
        "unchanged": 0,
        "quarantined": 1,
    }


async def test_export_writes_unresolved_raw_rows_to_fix(sessionmaker, clock, tmp_path):
    # given two quarantined rows from different files
    await import_file(
        sessionmaker,
        write_jsonl(tmp_path / "one.jsonl", [entity("91350100M000100Y44")]),
        "jsonl",
        clock,
    )
    await import_file(
        sessionmaker, write_jsonl(tmp_path / "two.jsonl", ["not json"]), "jsonl", clock
    )

    # when the rows of one file are exported
    out = tmp_path / "fix.jsonl"
    count = await service.export(sessionmaker, out, source_file="one.jsonl")

    # then the file holds exactly that raw row, ready to edit and re-import
    assert count == 1
    [line] = out.read_text(encoding="utf-8").splitlines()
    assert json.loads(line) == entity("91350100M000100Y44")


async def test_nul_characters_are_quarantined_not_fatal(sessionmaker, clock, tmp_path):
    # given a row whose name carries an escaped NUL and a line with a raw NUL
    path = write_jsonl(
        tmp_path / "nul.jsonl",
        [
            entity(USCC_A, name="郑州\u0000公司"),
            '{"type": "entity"\x00',
            entity(USCC_B),
        ],
    )

    # when it is imported
    summary = await import_file(sessionmaker, path, "jsonl", clock)

    # then both bad rows are quarantined (PostgreSQL text cannot hold NUL)
    assert summary.as_json() == {
        "inserted": 1,
        "updated": 0,
        "unchanged": 0,
        "quarantined": 2,
    }
    first, second = await quarantined(sessionmaker)
    assert first.reason == (
        "line 1: contains a NUL character, which text fields cannot hold"
    )
    assert second.raw == '{"type": "entity"\ufffd'
    assert second.reason.startswith("line 2: malformed JSON: ")
