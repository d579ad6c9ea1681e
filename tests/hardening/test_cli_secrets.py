"""The command line keeps secrets out of logs and rehearses before it changes the
future."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from hub.clock import SystemClock
from hub.db import create_engine, make_sessionmaker, migrate
from hub.importer.service import import_rows
from hub.models import CreditRecord
from hub.root.cli import app as cli

USCC = "91350100M000100Y43"
PASSWORD = "s3cret-Pw-41"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> pytest.MonkeyPatch:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("HUB_REDIS_URL", raising=False)
    return monkeypatch


def test_db_upgrade_masks_the_password(postgres_url: str, env) -> None:  # type: ignore[no-untyped-def]
    # trust authentication ignores the password; the command must not print it
    with_password = make_url(postgres_url).set(password=PASSWORD)
    env.setenv("HUB_DATABASE_URL", with_password.render_as_string(hide_password=False))
    result = CliRunner().invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert "***" in result.output


def test_json_output_never_repeats_a_secret_on_stderr(sqlite_url: str, env) -> None:  # type: ignore[no-untyped-def]
    env.setenv("HUB_DATABASE_URL", sqlite_url)
    runner = CliRunner()
    made = runner.invoke(
        cli, ["clients", "create", "--kind", "BANK", "--name", "X", "--json"]
    )
    assert made.exit_code == 0, made.output
    secret = json.loads(made.stdout)["client_secret"]
    assert secret and secret not in made.stderr
    minted = runner.invoke(cli, ["token", "subject", USCC, "--json"])
    assert minted.exit_code == 0, minted.output
    token = json.loads(minted.stdout)["access_token"]
    assert token and token not in minted.stderr


async def _seed(url: str) -> None:
    today = SystemClock().today()
    rows = [
        {
            "type": "entity",
            "uscc": USCC,
            "name": "郑州示范科技有限公司",
            "kind": "ENTERPRISE",
            "region_code": "410100",
        },
        {
            "type": "record",
            "uscc": USCC,
            "source": "test",
            "source_id": "P-1",
            "category": "PENALTY",
            "kind": "ADMIN_PENALTY",
            "severity": "MINOR",
            "title": "警告",
            "decided_on": (today - timedelta(days=80)).isoformat(),
        },
    ]
    engine = create_engine(url)
    try:
        await import_rows(make_sessionmaker(engine), rows, SystemClock())
    finally:
        await engine.dispose()


async def _status(url: str) -> str:
    engine = create_engine(url)
    try:
        async with make_sessionmaker(engine)() as s:
            return str(await s.scalar(select(CreditRecord.status)))
    finally:
        await engine.dispose()


def test_maintenance_rehearses_a_future_day(db_url: str, env) -> None:  # type: ignore[no-untyped-def]
    # a MINOR penalty published for 3 months, of which 80 days have passed
    migrate(db_url)
    asyncio.run(_seed(db_url))
    env.setenv("HUB_DATABASE_URL", db_url)
    later = (SystemClock().today() + timedelta(days=30)).isoformat()
    runner = CliRunner()
    refused = runner.invoke(cli, ["maintenance", "--today", later, "--json"])
    assert refused.exit_code == 2
    assert "--dry-run" in refused.output
    assert asyncio.run(_status(db_url)) == "ACTIVE"
    rehearsed = runner.invoke(
        cli, ["maintenance", "--today", later, "--dry-run", "--json"]
    )
    assert rehearsed.exit_code == 0, rehearsed.output
    report = json.loads(rehearsed.stdout)
    assert (report["records_expired"], report["dry_run"]) == (1, True)
    assert asyncio.run(_status(db_url)) == "ACTIVE"  # nothing changed
