"""The national 双公示 formats: xzcf (行政处罚) and xzxk (行政许可) CSV files."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from hub.enums import Severity
from hub.errors import ErrorCode, HubError
from hub.importer.national import normalise_header, parse_day, penalty_severity
from hub.importer.readers import detect_encoding
from hub.importer.service import import_file, import_rows
from hub.root.commands.importer import register
from tests.importer.helpers import entity, quarantined, records

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"
YING = "91410400Y60GP15X5L"
ZHAN = "91410400701WRM4U01"
XIN = "91410400NB73AENB2U"
# Spaces and full-width brackets, as agencies' exports have them.
XZCF_HEADER = [
    "行政相对人名称",
    "行政相对人代码_1 （统一社会信用代码）",
    "行政处罚决定书文号",
    "违法行为类型",
    "处罚类别",
    "处罚内容",
    "罚款金额（万元）",
    "处罚决定日期",
    "处罚有效期",
    "公示截止期",
    "处罚机关",
    "备注",
]


def penalty(uscc: str, number: str, kind: str, day: str, until: str = "") -> list[str]:
    return [
        "平顶山市示范有限公司",
        uscc,
        number,
        "违反《中华人民共和国产品质量法》",
        kind,
        f"{kind}（{number}）",
        "2",
        day,
        "",
        until,
        "平顶山市市场监督管理局",
        "",
    ]


def write_csv(path: Path, header: list[str], rows: list[list[str]], enc: str) -> Path:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode(enc))
    return path


async def register_entities(sessionmaker, clock, *usccs: str) -> None:  # type: ignore[no-untyped-def]
    rows = [entity(u, region_code="410400") for u in usccs]
    summary = await import_rows(sessionmaker, rows, clock)
    assert summary.inserted == len(usccs)


async def test_a_gb18030_xzcf_file_with_a_bad_row_loads_the_good_ones(
    sessionmaker, clock, tmp_path
):
    # given registered entities and a GB18030 penalty file whose third row
    # carries a date in none of the three accepted spellings
    await register_entities(sessionmaker, clock, YING, ZHAN, XIN)
    path = write_csv(
        tmp_path / "平顶山-行政处罚.csv",
        XZCF_HEADER,
        [
            penalty(YING, "平市监罚〔2026〕101号", "罚款；没收违法所得", "2026-09-15"),
            penalty(ZHAN, "平湛市监罚〔2026〕17号", "警告", "2026/10/08", "2027/01/08"),
            penalty(XIN, "平交罚〔2026〕0523号", "罚款", "2026.11.02"),
            penalty(XIN, "平交罚〔2026〕0524号", "吊销许可证件", "2026年11月2日"),
        ],
        "gb18030",
    )
    assert detect_encoding(path) == "gb18030"

    # when it is imported as xzcf, encoding detected
    summary = await import_file(sessionmaker, path, "xzcf", clock)

    # then the three good rows are records and the bad one is quarantined
    assert summary.as_json() == {
        "inserted": 3,
        "updated": 0,
        "unchanged": 0,
        "quarantined": 1,
    }
    stored = await records(sessionmaker)
    assert {
        k: (
            r.uscc,
            r.source,
            r.category,
            r.kind,
            r.severity,
            r.authority,
            r.decided_on,
            r.publish_until,
        )
        for k, r in stored.items()
    } == {
        "平市监罚〔2026〕101号": (
            YING,
            "xzcf",
            "PENALTY",
            "ADMIN_PENALTY",
            "ORDINARY",
            "平顶山市市场监督管理局",
            date(2026, 9, 15),
            # no 公示截止期: the longest ORDINARY window (信用修复管理办法)
            date(2027, 9, 15),
        ),
        "平湛市监罚〔2026〕17号": (
            ZHAN,
            "xzcf",
            "PENALTY",
            "ADMIN_PENALTY",
            "MINOR",
            "平顶山市市场监督管理局",
            date(2026, 10, 8),
            date(2027, 1, 8),
        ),
        "平交罚〔2026〕0524号": (
            XIN,
            "xzcf",
            "PENALTY",
            "ADMIN_PENALTY",
            "SERIOUS",
            "平顶山市市场监督管理局",
            date(2026, 11, 2),
            date(2029, 11, 2),
        ),
    }
    first = stored["平市监罚〔2026〕101号"]
    assert first.title == "罚款；没收违法所得（平市监罚〔2026〕101号）"
    # every original column is kept, under its normalised name
    assert first.details == {
        "行政相对人名称": "平顶山市示范有限公司",
        "行政相对人代码_1(统一社会信用代码)": YING,
        "行政处罚决定书文号": "平市监罚〔2026〕101号",
        "违法行为类型": "违反《中华人民共和国产品质量法》",
        "处罚类别": "罚款；没收违法所得",
        "处罚内容": "罚款；没收违法所得（平市监罚〔2026〕101号）",
        "罚款金额(万元)": "2",
        "处罚决定日期": "2026-09-15",
        "处罚有效期": "",
        "公示截止期": "",
        "处罚机关": "平顶山市市场监督管理局",
        "备注": "",
    }
    [bad] = await quarantined(sessionmaker)
    assert bad.line_no == 4
    assert bad.reason.startswith("line 4: xzcf: 处罚决定日期: '2026.11.02' is not")
    assert json.loads(bad.raw)["行政处罚决定书文号"] == "平交罚〔2026〕0523号"

    # and importing the same file again inserts nothing
    again = await import_file(sessionmaker, path, "xzcf", clock)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)
    assert len(await records(sessionmaker)) == 3


async def test_the_shipped_samples_load_and_reload_without_duplicates(
    sessionmaker, clock
):
    # given the entities the samples name
    await import_file(sessionmaker, SAMPLES / "entities.jsonl", None, clock)
    # the penalty sample is GB18030, the licence sample UTF-8
    assert detect_encoding(SAMPLES / "xzcf.csv") == "gb18030"
    assert detect_encoding(SAMPLES / "xzxk.csv") == "utf-8-sig"

    # when both are imported twice
    first = [
        await import_file(sessionmaker, SAMPLES / "xzcf.csv", "xzcf", clock),
        await import_file(sessionmaker, SAMPLES / "xzxk.csv", "xzxk", clock),
    ]
    second = [
        await import_file(sessionmaker, SAMPLES / "xzcf.csv", "xzcf", clock),
        await import_file(sessionmaker, SAMPLES / "xzxk.csv", "xzxk", clock),
    ]

    # then the first run inserts every row and the second changes nothing
    assert [s.as_json() for s in first] == [
        {"inserted": 3, "updated": 0, "unchanged": 0, "quarantined": 0},
        {"inserted": 2, "updated": 0, "unchanged": 0, "quarantined": 0},
    ]
    assert [s.as_json() for s in second] == [
        {"inserted": 0, "updated": 0, "unchanged": 3, "quarantined": 0},
        {"inserted": 0, "updated": 0, "unchanged": 2, "quarantined": 0},
    ]
    licence = (await records(sessionmaker))["平湛食许〔2026〕088号"]
    assert (
        licence.category,
        licence.kind,
        licence.severity,
        licence.title,
        licence.authority,
        licence.decided_on,
        licence.publish_until,
    ) == (
        "LICENSING",
        "ADMIN_LICENSE",
        "NONE",
        "食品经营许可证",
        "平顶山市湛河区市场监督管理局",
        date(2026, 3, 2),
        date(2031, 3, 1),
    )


async def test_a_notice_period_beyond_the_severity_window_is_quarantined(
    sessionmaker, clock, tmp_path
):
    await register_entities(sessionmaker, clock, ZHAN)
    # a 警告 (MINOR) published for a year: MINOR allows at most 3 months
    path = write_csv(
        tmp_path / "xzcf.csv",
        XZCF_HEADER,
        [penalty(ZHAN, "平湛市监罚〔2026〕18号", "警告", "2026-10-08", "2027-10-08")],
        "utf-8",
    )
    summary = await import_file(sessionmaker, path, "xzcf", clock)
    assert (summary.inserted, summary.quarantined) == (0, 1)
    [row] = await quarantined(sessionmaker)
    assert "exceeds the MINOR window" in row.reason


async def test_a_file_without_the_standard_columns_is_refused_whole(
    sessionmaker, clock, tmp_path
):
    path = write_csv(
        tmp_path / "xzcf.csv",
        ["名称", "统一社会信用代码", "文号"],
        [["平顶山市示范有限公司", YING, "平市监罚〔2026〕101号"]],
        "utf-8",
    )
    with pytest.raises(HubError) as refused:
        await import_file(sessionmaker, path, "xzcf", clock)
    assert refused.value.code == ErrorCode.VALIDATION_ERROR
    assert "行政相对人代码_1(统一社会信用代码)" in refused.value.message
    assert await records(sessionmaker) == {}


def test_header_names_match_without_spaces_and_with_either_bracket_width() -> None:
    assert (
        normalise_header("行政相对人代码_1 （统一社会信用代码）")
        == normalise_header("行政相对人代码_1(统一社会信用代码)")
        == normalise_header("\ufeff行政相对人代码_1（统一社会信用代码） ")
        == "行政相对人代码_1(统一社会信用代码)"
    )


@pytest.mark.parametrize(
    "text", ["2026-04-01", "2026/04/01", "2026年04月01日", "2026年4月1日", "2026/4/1"]
)
def test_the_three_date_spellings(text: str) -> None:
    assert parse_day(text) == date(2026, 4, 1)


@pytest.mark.parametrize("text", ["2026.04.01", "20260401", "2026-02-30", "4/1/2026"])
def test_other_date_spellings_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_day(text)


def test_the_severity_of_a_penalty_comes_from_the_mapping_data() -> None:
    mapping = penalty_severity()
    assert mapping["警告"] is Severity.MINOR
    assert mapping["罚款"] is Severity.ORDINARY
    assert mapping["没收违法所得、没收非法财物"] is Severity.ORDINARY
    assert mapping["吊销许可证件"] is Severity.SERIOUS


def test_the_import_command_takes_the_format_and_an_encoding(db_url, tmp_path):
    app = typer.Typer()
    register(app)
    run = CliRunner().invoke
    path = write_csv(
        tmp_path / "xzcf.csv",
        XZCF_HEADER,
        [penalty(YING, "平市监罚〔2026〕101号", "罚款", "2026-09-15")],
        "gb18030",
    )
    entities = tmp_path / "e.jsonl"
    entities.write_text(json.dumps(entity(YING)), encoding="utf-8")
    assert run(app, ["import", str(entities), "--database-url", db_url]).exit_code == 0

    # a wrong encoding garbles the header: the file is refused, exit 2
    wrong = run(
        app,
        ["import", str(path), "--format", "xzcf", "--encoding", "utf-8"]
        + ["--database-url", db_url],
    )
    assert wrong.exit_code == 2 and "Not a xzcf file" in wrong.stderr
    ok = run(
        app,
        ["import", str(path), "--format", "xzcf", "--encoding", "gb18030", "--json"]
        + ["--database-url", db_url],
    )
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout) == {
        "inserted": 1,
        "updated": 0,
        "unchanged": 0,
        "quarantined": 0,
    }
