"""CSV: one file with a type column, or one file per type."""

from __future__ import annotations

import pytest

from hub.errors import ErrorCode, HubError
from hub.importer.service import import_file
from tests.importer.helpers import USCC_A, USCC_B, entities, memberships, records

ENTITY_HEADER = (
    "uscc,name,kind,region_code,industry_code,established_on,"
    "registered_capital,legal_representative,status"
)


async def test_one_file_with_a_type_column(sessionmaker, clock, tmp_path):
    # given a CSV mixing entity and record rows; empty cells are null and
    # details hold JSON text
    path = tmp_path / "mixed.csv"
    path.write_text(
        "type,uscc,name,kind,region_code,source,source_id,category,severity,"
        "title,decided_on,publish_until,details\n"
        f"entity,{USCC_A},郑州中原食品有限公司,ENTERPRISE,410100,,,,,,,,\n"
        f"record,{USCC_A},,TAX_RATING,,henan-tax,T1,TAX,NONE,"
        '纳税信用等级 A,2026-04-01,,"{""rating"": ""A""}"\n',
        encoding="utf-8",
    )

    # when it is imported (format from the suffix)
    summary = await import_file(sessionmaker, path, None, clock)

    # then both rows load with nulls and decoded details
    assert summary.as_json() == {
        "inserted": 2,
        "updated": 0,
        "unchanged": 0,
        "quarantined": 0,
    }
    stored = (await entities(sessionmaker))[USCC_A]
    assert (stored.industry_code, stored.status) == (None, "存续")
    rec = (await records(sessionmaker))["T1"]
    assert (rec.kind, rec.details, rec.publish_until) == (
        "TAX_RATING",
        {"rating": "A"},
        None,
    )


async def test_one_file_per_type_named_by_stem_or_option(sessionmaker, clock, tmp_path):
    # given entities.csv and a list file whose name says nothing
    ents = tmp_path / "entities.csv"
    ents.write_text(
        ENTITY_HEADER + "\n"
        f"{USCC_A},郑州中原食品有限公司,ENTERPRISE,410100,C14,2015-03-02,"
        "5000000,王伟,存续\n"
        f"{USCC_B},开封黄河商贸有限公司,ENTERPRISE,410200,F51,,,,存续\n",
        encoding="utf-8",
    )
    lists = tmp_path / "henan-blacklist-2025.csv"
    lists.write_text(
        "uscc,kind,list_name,basis,since,until\n"
        f"{USCC_B},BLACK,失信被执行人名单,（2025）豫02执7号,2025-06-01,\n",
        encoding="utf-8",
    )

    # when both are imported, the second with --type list
    first = await import_file(sessionmaker, ents, "csv", clock)
    second = await import_file(sessionmaker, lists, "csv", clock, row_type="list")

    # then every row loads as its type
    assert (first.inserted, second.inserted) == (2, 1)
    stored = await entities(sessionmaker)
    assert (stored[USCC_A].registered_capital, str(stored[USCC_A].established_on)) == (
        5000000.0,
        "2015-03-02",
    )
    [m] = await memberships(sessionmaker)
    assert (m.uscc, m.basis, m.until) == (USCC_B, "（2025）豫02执7号", None)


async def test_bad_csv_row_is_quarantined_as_json(sessionmaker, clock, tmp_path):
    # given a records.csv row whose details cell is not JSON
    path = tmp_path / "records.csv"
    path.write_text(
        "uscc,source,source_id,category,kind,severity,title,details\n"
        f"{USCC_A},henan-tax,T1,TAX,TAX_RATING,NONE,等级,{{rating\n",
        encoding="utf-8",
    )

    # when it is imported
    summary = await import_file(sessionmaker, path, "csv", clock)

    # then the row is quarantined with its line and kept as a JSON object
    assert summary.quarantined == 1
    assert summary.problems[0].startswith("line 2: details: malformed JSON text")


def test_csv_without_a_type_is_refused(tmp_path):
    # given a CSV with no type column whose name says nothing about its rows
    from hub.importer.readers import read_csv

    path = tmp_path / "data.csv"
    path.write_text("uscc\n" + USCC_A + "\n", encoding="utf-8")

    # when it is read, then the operator is told how to name the type
    with pytest.raises(HubError) as caught:
        list(read_csv(path))
    assert caught.value.code is ErrorCode.VALIDATION_ERROR
    assert "pass --type entity|record|list" in caught.value.message
