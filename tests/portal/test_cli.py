"""``xinyi-hub portal link USCC`` prints a link that signs the enterprise in."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import parse_qs, urlsplit

from typer.testing import CliRunner

from hub.clock import SystemClock
from hub.db import create_engine, make_sessionmaker, migrate, session_scope
from hub.portal.links import redeem_link
from hub.root.cli import app
from hub.settings import Settings
from tests.portal.conftest import OTHER_USCC, USCC
from tests.portal.helpers import add_enterprise


async def _given_enterprise(url: str) -> None:
    engine = create_engine(url)
    await add_enterprise(make_sessionmaker(engine), SystemClock(), USCC)
    await engine.dispose()


async def _redeem(url: str, token: str) -> str:
    engine = create_engine(url)
    try:
        async with session_scope(make_sessionmaker(engine)) as s:
            return (await redeem_link(s, Settings(), SystemClock(), token)).uscc
    finally:
        await engine.dispose()


def test_the_command_prints_a_working_link(sqlite_url: str) -> None:
    migrate(sqlite_url)
    asyncio.run(_given_enterprise(sqlite_url))
    env = {"HUB_DATABASE_URL": sqlite_url, "HUB_PUBLIC_URL": "http://hub.test:8080"}
    runner = CliRunner()

    out = runner.invoke(app, ["portal", "link", USCC], env=env)
    assert out.exit_code == 0, out.output
    url = out.stdout.strip()
    assert url.startswith("http://hub.test:8080/portal/login?token=")

    out = runner.invoke(app, ["portal", "link", USCC, "--json"], env=env)
    body = json.loads(out.stdout)
    assert body["uscc"] == USCC and body["expires_in"] == 900

    token = parse_qs(urlsplit(url).query)["token"][0]
    assert asyncio.run(_redeem(sqlite_url, token)) == USCC

    refused = runner.invoke(app, ["portal", "link", OTHER_USCC], env=env)
    assert refused.exit_code == 2 and "NOT_FOUND" in refused.stderr
    production = runner.invoke(
        app, ["portal", "link", USCC], env={**env, "HUB_ENV": "production"}
    )
    assert production.exit_code == 2 and "FORBIDDEN" in production.stderr
