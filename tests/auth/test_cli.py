"""``xinyi-hub clients create``, ``token subject`` and ``keys rotate``."""

from __future__ import annotations

import asyncio
import json

import pytest
import typer
from sqlalchemy import select
from typer.testing import CliRunner

from hub.auth.clients import client_service
from hub.auth.keys import load_keyring
from hub.auth.tokens import verify_access_token
from hub.clock import SystemClock
from hub.db import create_engine, make_sessionmaker
from hub.models import AuditEvent, SigningKey
from hub.root.commands.auth import register
from hub.settings import Settings

USCC = "91350100M000100Y43"

app = typer.Typer()
register(app)
runner = CliRunner()


@pytest.fixture
def database(tmp_path, monkeypatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("HUB_DATABASE_URL", url)
    return url


def in_db(url: str, work):
    async def main():
        engine = create_engine(url)
        try:
            return await work(make_sessionmaker(engine))
        finally:
            await engine.dispose()

    return asyncio.run(main())


def test_clients_create_prints_credentials_that_work(database) -> None:
    # when an operator registers a bank
    result = runner.invoke(
        app, ["clients", "create", "--kind", "BANK", "--name", "郑州银行", "--json"]
    )
    # then stdout is exactly one JSON object with the credentials
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert set(out) == {"id", "client_id", "client_secret", "kind", "name"}
    assert (out["kind"], out["name"]) == ("BANK", "郑州银行")
    assert "shown once" in result.stderr

    # and they authenticate, and the creation is audited as the operator
    async def check(maker):
        async with maker() as s:
            client = await client_service.authenticate(
                s, out["client_id"], out["client_secret"]
            )
            event = await s.scalar(select(AuditEvent))
        return client.id, (event.action, event.actor_id)

    assert in_db(database, check) == (out["id"], ("client.create", "operator"))


def test_clients_create_refuses_subject_kind(database) -> None:
    result = runner.invoke(
        app, ["clients", "create", "--kind", "SUBJECT", "--name", "x"]
    )
    assert result.exit_code == 2
    assert "VALIDATION_ERROR" in result.stderr and result.stdout == ""


def test_token_subject_mints_a_verifiable_subject_token(database) -> None:
    result = runner.invoke(app, ["token", "subject", USCC, "--ttl", "120", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert set(out) == {"access_token", "expires_in"} and out["expires_in"] == 120

    async def verify(maker):
        settings, clock = Settings(database_url=database), SystemClock()
        keyring = await load_keyring(maker, settings, clock)
        return await verify_access_token(keyring, settings, clock, out["access_token"])

    claims = in_db(database, verify)
    assert (claims["sub"], claims["kind"], claims["scope"]) == (
        USCC,
        "SUBJECT",
        "subject",
    )


@pytest.mark.parametrize(
    "bad", ["91350100m000100Y43", "91350100M000100Y44", " " + USCC]
)
def test_token_subject_rejects_invalid_uscc_with_exit_2(database, bad) -> None:
    result = runner.invoke(app, ["token", "subject", bad, "--json"])
    assert result.exit_code == 2
    assert "INVALID_USCC" in result.stderr and result.stdout == ""


def test_token_subject_rejects_out_of_range_ttl(database) -> None:
    result = runner.invoke(app, ["token", "subject", USCC, "--ttl", "100000"])
    assert result.exit_code == 2


def test_keys_rotate_adds_a_key_and_keeps_the_old_published(database) -> None:
    first = runner.invoke(app, ["keys", "rotate", "--json"])
    second = runner.invoke(app, ["keys", "rotate", "--json"])
    assert first.exit_code == second.exit_code == 0, first.output + second.output
    a, b = json.loads(first.stdout), json.loads(second.stdout)
    assert a["kid"] != b["kid"] and b["alg"] == "ES256"

    async def keys(maker):
        async with maker() as s:
            rows = list(await s.scalars(select(SigningKey)))
        return {r.kid: r.retired_at is None for r in rows}

    state = in_db(database, keys)
    # the start-up key and the first rotated key are retired, still stored
    assert state[b["kid"]] is True and state[a["kid"]] is False
    assert (len(state), b["published"]) == (3, 3)
