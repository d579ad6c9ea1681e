"""Signing keys at rest: sealed under the KEK, re-sealed on rotation, never
readable in a database dump."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select

from hub.auth.keys import Keyring, load_keyring
from hub.auth.principal import Principal
from hub.auth.sealing import (
    KeyEncryptionError,
    KeySealer,
    generate_kek,
    sealer_from_settings,
)
from hub.clock import FrozenClock
from hub.db import create_engine, make_sessionmaker, migrate
from hub.enums import PrincipalKind
from hub.models import AuditEvent, SigningKey
from hub.settings import Settings
from tests.servers import unavailable

OPERATOR = Principal(id="operator", kind=PrincipalKind.ADMIN, name="command line")


def settings(url: str, *keks: str, **kw: object) -> Settings:
    extra = {"key_encryption_key": ",".join(keks)} if keks else {}
    return Settings(database_url=url, env="test", **extra, **kw)  # type: ignore[arg-type]


async def keyring_of(s: Settings, clock: FrozenClock) -> tuple[Keyring, object]:
    engine = create_engine(s.database_url)
    return await load_keyring(make_sessionmaker(engine), s, clock), engine


async def stored(url: str) -> list[SigningKey]:
    engine = create_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            return list((await session.scalars(select(SigningKey))).all())
    finally:
        await engine.dispose()


async def actions(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            rows = await session.scalars(select(AuditEvent.action))
            return list(rows.all())
    finally:
        await engine.dispose()


def secrets_of(keyring: Keyring) -> list[bytes]:
    """Every form the private keys could leak in: PEM, DER, the raw scalar."""
    out: list[bytes] = []
    for kid in [k["kid"] for k in keyring.jwks()["keys"]]:
        key = keyring.get(kid)
        assert key is not None
        der = key.private_key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        scalar = key.private_key.private_numbers().private_value.to_bytes(32, "big")
        out += [
            der,
            base64.b64encode(der)[16:56],  # a stretch of the PEM body
            scalar,
            scalar.hex().encode(),
            base64.urlsafe_b64encode(scalar).rstrip(b"="),  # the JWK "d"
        ]
    return out


# -- the sealer ---------------------------------------------------------------


def test_a_sealed_key_opens_only_with_its_kek_and_on_its_own_row() -> None:
    # given two KEKs
    old, new = generate_kek(), generate_kek()
    sealer = KeySealer.parse(old)

    # when a key is sealed
    sealed = sealer.seal("kid-1", "-----BEGIN PRIVATE KEY-----\nAAAA\n")

    # then it opens with the KEK, also as an older one behind a new KEK
    assert "PRIVATE" not in sealed and sealed.startswith("v1.")
    assert sealer.open("kid-1", sealer.current_id, sealed).endswith("AAAA\n")
    both = KeySealer.parse(f"{new},{old}")
    assert both.current_id != sealer.current_id
    assert both.open("kid-1", sealer.current_id, sealed).endswith("AAAA\n")
    # but not copied onto another row, altered, or without its KEK
    with pytest.raises(KeyEncryptionError, match="another row"):
        sealer.open("kid-2", sealer.current_id, sealed)
    with pytest.raises(KeyEncryptionError, match="altered"):
        sealer.open("kid-1", sealer.current_id, sealed[:-4] + "AAAA")
    with pytest.raises(KeyEncryptionError, match="does not hold"):
        KeySealer.parse(new).open("kid-1", sealer.current_id, sealed)


@pytest.mark.parametrize("bad", ["", "short", "a" * 44, generate_kek() + ",nope"])
def test_a_malformed_kek_is_refused_in_one_line(bad: str) -> None:
    with pytest.raises(KeyEncryptionError) as refused:
        sealer_from_settings(Settings(key_encryption_key=bad))  # type: ignore[arg-type]
    assert "\n" not in str(refused.value)


def test_production_refuses_to_run_without_a_kek_development_warns() -> None:
    with pytest.raises(KeyEncryptionError, match="refusing to start in production"):
        sealer_from_settings(Settings(env="production"))
    assert sealer_from_settings(Settings(env="development")) is None
    kek = generate_kek()
    sealer = sealer_from_settings(Settings(env="production", key_encryption_key=kek))  # type: ignore[arg-type]
    assert sealer is not None and sealer.current_id == KeySealer.parse(kek).current_id


def test_the_kek_can_come_from_a_file(tmp_path: Path) -> None:
    kek = generate_kek()
    (tmp_path / "kek").write_text(kek + "\n", encoding="ascii")
    s = Settings(env="production", key_encryption_key_file=str(tmp_path / "kek"))
    sealer = sealer_from_settings(s)
    assert sealer is not None and sealer.current_id == KeySealer.parse(kek).current_id
    missing = Settings(key_encryption_key_file=str(tmp_path / "absent"))
    with pytest.raises(KeyEncryptionError, match="cannot be read"):
        sealer_from_settings(missing)


# -- the keyring ----------------------------------------------------------------


async def test_keys_are_sealed_from_the_start_with_a_kek(
    db_url: str, clock: FrozenClock
) -> None:
    # when a hub with a KEK makes its first key and rotates
    s = settings(db_url, generate_kek())
    keyring, engine = await keyring_of(s, clock)
    await keyring.rotate(actor=OPERATOR)
    await engine.dispose()  # type: ignore[attr-defined]

    # then no stored key is plain PEM, each names its KEK
    rows = await stored(db_url)
    assert len(rows) == 2
    kek = sealer_from_settings(s).current_id  # type: ignore[union-attr]
    assert all(r.sealed_by == kek and "PRIVATE KEY" not in r.private_pem for r in rows)
    # and a new process with the same KEK signs with the same key
    again, engine = await keyring_of(s, clock)
    assert again.active.kid == keyring.active.kid
    await engine.dispose()  # type: ignore[attr-defined]


async def test_plain_keys_are_sealed_on_the_first_start_with_a_kek(
    db_url: str, clock: FrozenClock
) -> None:
    # given keys made in development without a KEK
    plain, engine = await keyring_of(settings(db_url), clock)
    kid = plain.active.kid
    await engine.dispose()  # type: ignore[attr-defined]
    assert (await stored(db_url))[0].sealed_by is None

    # when the hub starts with a KEK
    s = settings(db_url, generate_kek())
    sealed, engine = await keyring_of(s, clock)
    await engine.dispose()  # type: ignore[attr-defined]

    # then the same key signs, now sealed, and the sealing is audited
    assert sealed.active.kid == kid
    (row,) = await stored(db_url)
    assert row.sealed_by is not None and "PRIVATE KEY" not in row.private_pem
    assert "keys.seal" in await actions(db_url)
    # and without the KEK the hub cannot open it
    with pytest.raises(KeyEncryptionError, match="is sealed under KEK"):
        await keyring_of(settings(db_url), clock)


async def test_rekey_reseals_every_key_under_the_new_kek(
    db_url: str, clock: FrozenClock
) -> None:
    # given keys sealed under the old KEK
    old, new = generate_kek(), generate_kek()
    first, engine = await keyring_of(settings(db_url, old), clock)
    await first.rotate(actor=OPERATOR)
    kids = {k["kid"] for k in first.jwks()["keys"]}
    await engine.dispose()  # type: ignore[attr-defined]

    # when the new KEK goes first and the operator runs rekey
    both, engine = await keyring_of(settings(db_url, new, old), clock)
    report = await both.rekey(actor=OPERATOR)
    await engine.dispose()  # type: ignore[attr-defined]

    # then every key is sealed under the new KEK, which alone opens them now
    new_id = KeySealer.parse(new).current_id
    assert (report.kek, report.resealed, report.total) == (new_id, 2, 2)
    assert {r.sealed_by for r in await stored(db_url)} == {new_id}
    alone, engine = await keyring_of(settings(db_url, new), clock)
    assert {k["kid"] for k in alone.jwks()["keys"]} == kids
    assert alone.active.kid == first.active.kid
    await engine.dispose()  # type: ignore[attr-defined]
    with pytest.raises(KeyEncryptionError, match="does not hold"):
        await keyring_of(settings(db_url, old), clock)
    assert (await actions(db_url)).count("keys.rekey") == 1


async def test_development_without_a_kek_warns_once(
    sqlite_url: str, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    import hub.auth.keys as keys_module

    migrate(sqlite_url)
    keys_module._warned_plain = False
    with caplog.at_level("WARNING", logger="hub.auth.keys"):
        for _ in range(2):
            keyring, engine = await keyring_of(settings(sqlite_url), clock)
            await engine.dispose()  # type: ignore[attr-defined]
    warnings = [r.getMessage() for r in caplog.records if r.name == "hub.auth.keys"]
    assert len(warnings) == 1 and "stored unencrypted" in warnings[0]


async def test_rekey_without_a_kek_is_refused(
    sqlite_url: str, clock: FrozenClock
) -> None:
    migrate(sqlite_url)
    keyring, engine = await keyring_of(settings(sqlite_url), clock)
    with pytest.raises(KeyEncryptionError, match="rekey needs"):
        await keyring.rekey(actor=OPERATOR)
    await engine.dispose()  # type: ignore[attr-defined]


# -- dumps ---------------------------------------------------------------------


async def test_the_sqlite_file_holds_no_private_key(
    sqlite_url: str, clock: FrozenClock, tmp_path: Path
) -> None:
    # given a hub with a KEK that made and rotated keys
    migrate(sqlite_url)
    keyring, engine = await keyring_of(settings(sqlite_url, generate_kek()), clock)
    await keyring.rotate(actor=OPERATOR)
    await engine.dispose()  # type: ignore[attr-defined]

    # when the database files are read byte by byte
    files = [p for p in tmp_path.iterdir() if p.name.startswith("hub.db")]
    dump = b"".join(p.read_bytes() for p in files)

    # then the keys are there, their private halves in no form
    assert keyring.active.kid.encode() in dump
    assert b"PRIVATE KEY" not in dump
    for secret in secrets_of(keyring):
        assert secret not in dump


async def test_pg_dump_shows_no_private_key(
    postgres_url: str, clock: FrozenClock
) -> None:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        unavailable("pg_dump not installed")
    # given keys first made without a KEK, then sealed, then rotated
    migrate(postgres_url)
    plain, engine = await keyring_of(settings(postgres_url), clock)
    await engine.dispose()  # type: ignore[attr-defined]
    keyring, engine = await keyring_of(settings(postgres_url, generate_kek()), clock)
    await keyring.rotate(actor=OPERATOR)
    await engine.dispose()  # type: ignore[attr-defined]
    assert plain.active.kid in {k["kid"] for k in keyring.jwks()["keys"]}

    # when the database is dumped as a backup would
    dsn = postgres_url.replace("postgresql+asyncpg://", "postgresql://")
    dump = subprocess.run(
        [pg_dump, "--no-owner", dsn],
        check=True,
        capture_output=True,
        env={**os.environ, "PGCONNECT_TIMEOUT": "10"},
    ).stdout

    # then the keys are in it, their private halves are not
    assert keyring.active.kid.encode() in dump
    assert b"PRIVATE KEY" not in dump
    for secret in secrets_of(keyring):
        assert secret not in dump
