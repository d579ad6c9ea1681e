"""``xinyi-hub import`` and ``quarantine``: exit codes and --json output."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from hub.root.commands.importer import register
from tests.importer.helpers import USCC_B, entity, record, write_jsonl


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def run(app: typer.Typer, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args))


def test_clean_import_exits_0_with_one_json_object(app, db_url, tmp_path):
    # given a valid file
    path = write_jsonl(tmp_path / "ok.jsonl", [entity(), record()])

    # when it is imported with --json
    result = run(app, "import", str(path), "--json", "--database-url", db_url)

    # then stdout is exactly the summary object and the exit status is 0
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "inserted": 2,
        "updated": 0,
        "unchanged": 0,
        "quarantined": 0,
    }
    assert "ok.jsonl: 2 inserted" in result.stderr


def test_quarantined_rows_exit_1_and_can_be_listed_and_resubmitted(
    app, db_url, tmp_path
):
    # given a file whose record names an entity the hub does not know yet
    path = write_jsonl(tmp_path / "recs.jsonl", [entity(), record(USCC_B, "R2")])

    # when it is imported
    result = run(app, "import", str(path), "--json", "--database-url", db_url)

    # then the exit status is 1 and the row is in the quarantine list
    assert result.exit_code == 1
    assert json.loads(result.stdout)["quarantined"] == 1
    listed = run(
        app,
        "quarantine",
        "list",
        "--json",
        "--file",
        str(path),
        "--database-url",
        db_url,
    )
    assert listed.exit_code == 0
    [row] = json.loads(listed.stdout)["rows"]
    assert (row["source_file"], row["line_no"], row["row_type"]) == (
        "recs.jsonl",
        2,
        "record",
    )

    # and once the entity is imported, resubmission loads and resolves it
    ents = write_jsonl(tmp_path / "ents.jsonl", [entity(USCC_B)])
    assert run(app, "import", str(ents), "--database-url", db_url).exit_code == 0
    again = run(app, "quarantine", "resubmit", "--json", "--database-url", db_url)
    assert again.exit_code == 0
    assert json.loads(again.stdout) == {
        "inserted": 1,
        "updated": 0,
        "unchanged": 0,
        "quarantined": 0,
    }
    left = run(app, "quarantine", "list", "--json", "--database-url", db_url)
    assert json.loads(left.stdout) == {"rows": [], "count": 0}


def test_csv_without_type_exits_2_with_advice(app, sqlite_url, tmp_path):
    # given a CSV whose rows have no type
    path = tmp_path / "data.csv"
    path.write_text("uscc\n91350100M000100Y43\n", encoding="utf-8")

    # when it is imported, then the operator is told what to do
    result = run(app, "import", str(path), "--database-url", sqlite_url)
    assert result.exit_code == 2
    assert "pass --type entity|record|list" in result.stderr
    assert result.stdout == ""
