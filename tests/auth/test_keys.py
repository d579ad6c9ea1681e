"""The keyring: generated once, shared through the database, rotated safely."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hub.auth.keys import RELOAD_INTERVAL, load_keyring, retention
from hub.auth.principal import Principal
from hub.auth.tokens import (
    issue_access_token,
    sign_jws,
    verify_access_token,
    verify_jws,
)
from hub.enums import PrincipalKind
from hub.errors import HubError
from hub.models import AuditEvent, SigningKey
from hub.settings import Settings

OPERATOR = Principal(id="operator", kind=PrincipalKind.ADMIN, name="ops")


async def count_keys(sessionmaker) -> int:
    async with sessionmaker() as s:
        return int(await s.scalar(select(func.count()).select_from(SigningKey)))


async def test_first_start_generates_one_key_and_later_starts_reuse_it(
    sessionmaker, settings, clock
) -> None:
    # given an empty database
    assert await count_keys(sessionmaker) == 0
    # when the hub starts twice
    first = await load_keyring(sessionmaker, settings, clock)
    second = await load_keyring(sessionmaker, settings, clock)
    # then one ES256 key was made, persisted and shared
    assert await count_keys(sessionmaker) == 1
    assert first.active.kid == second.active.kid
    jwk = first.jwks()["keys"][0]
    assert (jwk["kty"], jwk["crv"], jwk["alg"], jwk["use"]) == (
        "EC",
        "P-256",
        "ES256",
        "sig",
    )
    assert jwk["kid"] == first.active.kid
    assert "d" not in jwk  # never the private part


async def test_workers_starting_together_make_one_key(postgres_url, clock) -> None:
    # Several workers share one database only on PostgreSQL (SQLite is a
    # single-process deployment), where an advisory lock serialises them.
    from hub.db import create_engine, make_sessionmaker, migrate

    migrate(postgres_url)
    engine = create_engine(postgres_url)
    maker = make_sessionmaker(engine)
    settings = Settings(database_url=postgres_url)
    try:
        rings = await asyncio.gather(
            *(load_keyring(maker, settings, clock) for _ in range(4))
        )
        assert await count_keys(maker) == 1
        assert len({r.active.kid for r in rings}) == 1
    finally:
        await engine.dispose()


async def test_rotation_keeps_old_tokens_valid_until_expiry(
    sessionmaker, settings, clock
) -> None:
    # given a token and a receipt signed by the first key
    keyring = await load_keyring(sessionmaker, settings, clock)
    old_kid = keyring.active.kid
    token, _ = issue_access_token(
        keyring, settings, clock, sub="c", kind=PrincipalKind.BANK, scope="eligibility"
    )
    exp = int(clock.now().timestamp()) + 365 * 86400
    receipt = sign_jws(keyring, {"jti": "c1", "exp": exp}, typ="consent-receipt+jwt")
    # when the keys are rotated
    new = await keyring.rotate(actor=OPERATOR)
    # then the new key signs, both are published, new first
    assert new.kid != old_kid and keyring.active.kid == new.kid
    assert [k["kid"] for k in keyring.jwks()["keys"]] == [new.kid, old_kid]
    # and the old token still verifies
    assert (await verify_access_token(keyring, settings, clock, token))["sub"] == "c"
    # and the rotation is on the audit trail
    async with sessionmaker() as s:
        event = await s.scalar(
            select(AuditEvent).where(AuditEvent.action == "keys.rotate")
        )
    assert (event.actor_id, event.detail["kid"]) == ("operator", new.kid)
    # and a one-year receipt from the old key still verifies a day before expiry
    clock.advance(days=364)
    assert verify_jws(keyring, receipt, clock)["jti"] == "c1"
    # but once everything it signed has expired the old key is withdrawn
    clock.advance(seconds=retention(settings).total_seconds() - 364 * 86400)
    assert [k["kid"] for k in keyring.jwks()["keys"]] == [new.kid]
    with pytest.raises(HubError):
        verify_jws(keyring, receipt, clock)


async def test_another_worker_finds_a_rotated_key(
    sessionmaker, settings, clock
) -> None:
    # given two workers' keyrings
    worker_a = await load_keyring(sessionmaker, settings, clock)
    worker_b = await load_keyring(sessionmaker, settings, clock)
    # when worker A rotates and signs with the new key
    await worker_a.rotate()
    token, _ = issue_access_token(
        worker_a, settings, clock, sub="c", kind=PrincipalKind.BANK, scope="eligibility"
    )
    # then right after its own load worker B does not query again (a flood of
    # made-up kids costs nothing) ...
    with pytest.raises(HubError):
        await verify_access_token(worker_b, settings, clock, token)
    # ... but a few seconds later it reloads once on the unknown kid
    clock.advance(seconds=RELOAD_INTERVAL)
    got = await verify_access_token(worker_b, settings, clock, token)
    assert got["sub"] == "c"
    assert worker_b.get(worker_a.active.kid) is not None


async def test_rotation_prunes_keys_past_their_publication(
    sessionmaker, settings, clock
) -> None:
    keyring = await load_keyring(sessionmaker, settings, clock)
    first = keyring.active.kid
    await keyring.rotate()
    clock.advance(seconds=retention(settings).total_seconds() + 1)
    await keyring.rotate()
    async with sessionmaker() as s:
        kids = set(await s.scalars(select(SigningKey.kid)))
    assert first not in kids and len(kids) == 2


async def test_changing_signing_alg_rotates_to_it(
    sessionmaker, settings, clock
) -> None:
    es = await load_keyring(sessionmaker, settings, clock)
    rs_settings = settings.model_copy(update={"signing_alg": "RS256"})
    rs = await load_keyring(sessionmaker, rs_settings, clock)
    assert (es.active.alg, rs.active.alg) == ("ES256", "RS256")
    assert {k["alg"] for k in rs.jwks()["keys"]} == {"ES256", "RS256"}
    assert retention(settings) >= timedelta(days=365)
