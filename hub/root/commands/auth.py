"""Command line: ``clients create``, ``token subject``, ``keys rotate|rekey|new-kek``.

Each command migrates the database first and builds only what it needs from
``Settings()``.  With ``--json`` exactly one JSON object goes to stdout
(interfaces.md, "Command line"); human text goes to stderr.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any, TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.auth.clients import client_service
from hub.auth.keys import MAX_TOKEN_TTL, load_keyring
from hub.auth.principal import Principal
from hub.auth.scopes import allowed_scopes
from hub.auth.tokens import issue_access_token
from hub.clock import SystemClock
from hub.db import create_engine, make_sessionmaker, migrate, session_scope
from hub.enums import PrincipalKind
from hub.errors import HubError
from hub.root.commands.failures import describe, fail
from hub.settings import Settings
from hub.uscc import check_uscc

__all__ = ["OPERATOR", "clients_app", "register", "run_command", "emit"]

# Actor of command-line administration in the audit trail.
OPERATOR = Principal(id="operator", kind=PrincipalKind.ADMIN, name="command line")

clients_app = typer.Typer(help="OAuth clients (banks, guarantors, merchants ...).")
token_app = typer.Typer(help="Mint access tokens for development and tests.")
keys_app = typer.Typer(help="Signing keys for access tokens and receipts.")

T = TypeVar("T")
_Maker = async_sessionmaker[AsyncSession]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


def register(app: typer.Typer) -> None:
    """Add the ``clients``, ``token`` and ``keys`` groups to ``app``."""
    app.add_typer(clients_app, name="clients")
    app.add_typer(token_app, name="token")
    app.add_typer(keys_app, name="keys")


@asynccontextmanager
async def _database(settings: Settings) -> AsyncIterator[_Maker]:
    engine = create_engine(settings.database_url)
    try:
        yield make_sessionmaker(engine)
    finally:
        await engine.dispose()


def _run(
    work: Callable[[Settings, _Maker], Awaitable[T]], *, as_json: bool = False
) -> T:
    """Migrate, run ``work`` on a fresh engine; expected failures: one line."""

    async def main(settings: Settings) -> T:
        async with _database(settings) as maker:
            return await work(settings, maker)

    try:
        settings = Settings()
        migrate(settings.database_url)
        return asyncio.run(main(settings))
    except Exception as exc:
        described = describe(exc)
        if described is None:
            raise
        fail(*described, as_json=as_json)


run_command = _run


def _emit(payload: dict[str, Any], human: str, as_json: bool, *, note: str) -> None:
    """``human`` on stdout; with ``--json`` the object on stdout and ``note`` on
    stderr — a note that never repeats a secret or token, since stderr ends
    up in CI and cron logs (contract v2)."""
    if as_json:
        typer.echo(json.dumps(payload, ensure_ascii=False))
        typer.echo(note, err=True)
    else:
        typer.echo(human)


emit = _emit


@clients_app.command("create")
def create_client(
    kind: Annotated[PrincipalKind, typer.Option("--kind", help="Client kind.")],
    name: Annotated[str, typer.Option("--name", help="Display name.")],
    as_json: JsonFlag = False,
) -> None:
    """Register a client and print its credentials (the secret is shown once)."""

    async def work(settings: Settings, maker: _Maker) -> dict[str, Any]:
        async with session_scope(maker) as session:
            creds = await client_service.create(
                session, actor=OPERATOR, clock=SystemClock(), kind=kind, name=name
            )
        return {
            "id": creds.client.id,
            "client_id": creds.client_id,
            "client_secret": creds.client_secret,
            "kind": creds.client.kind,
            "name": creds.client.name,
        }

    out = _run(work, as_json=as_json)
    human = (
        f"Created {out['kind']} client {out['name']!r} (id {out['id']}).\n"
        f"client_id:     {out['client_id']}\n"
        f"client_secret: {out['client_secret']}  (shown once; store it now)"
    )
    note = (
        f"Created {out['kind']} client {out['name']!r} (id {out['id']}); its "
        "secret is in the JSON on stdout, shown once."
    )
    _emit(out, human, as_json, note=note)


@token_app.command("subject")
def subject_token(
    uscc: Annotated[str, typer.Argument(help="The enterprise's USCC.")],
    ttl: Annotated[
        int | None,
        typer.Option("--ttl", help=f"Lifetime in seconds (1-{MAX_TOKEN_TTL})."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Mint a SUBJECT token (development and tests; production subjects come
    from a trusted identity provider)."""
    try:
        check_uscc(uscc)
    except HubError as exc:
        typer.echo(f"error [{exc.code}]: {exc.message}", err=True)
        raise typer.Exit(2) from None
    if ttl is not None and not 1 <= ttl <= MAX_TOKEN_TTL:
        typer.echo(f"error: --ttl must be between 1 and {MAX_TOKEN_TTL}", err=True)
        raise typer.Exit(2)

    async def work(settings: Settings, maker: _Maker) -> dict[str, Any]:
        clock = SystemClock()
        keyring = await load_keyring(maker, settings, clock)
        token, expires_in = issue_access_token(
            keyring,
            settings,
            clock,
            sub=uscc,
            kind=PrincipalKind.SUBJECT,
            scope=allowed_scopes(PrincipalKind.SUBJECT),
            extra={"uscc": uscc},
            ttl=ttl,
        )
        return {"access_token": token, "expires_in": expires_in}

    out = _run(work, as_json=as_json)
    note = f"SUBJECT token for {uscc}, valid {out['expires_in']} s (on stdout)."
    _emit(out, out["access_token"], as_json, note=note)


@keys_app.command("rotate")
def rotate_keys(
    as_json: JsonFlag = False,
) -> None:
    """Make a new signing key; the old one stays published until everything
    it signed has expired.  Running workers pick the new key up within a
    minute."""

    async def work(settings: Settings, maker: _Maker) -> dict[str, Any]:
        keyring = await load_keyring(maker, settings, SystemClock())
        key = await keyring.rotate(actor=OPERATOR)
        return {
            "kid": key.kid,
            "alg": key.alg,
            "published": len(keyring.jwks()["keys"]),
        }

    out = _run(work, as_json=as_json)
    human = f"New signing key {out['kid']} ({out['alg']})."
    _emit(out, human, as_json, note=human)


@keys_app.command("list")
def list_keys(as_json: JsonFlag = False) -> None:
    """List the signing keys: which signs, which are still published, and
    the KEK each is sealed under (never the keys themselves)."""

    async def work(settings: Settings, maker: _Maker) -> dict[str, Any]:
        keyring = await load_keyring(maker, settings, SystemClock())
        return {"keys": await keyring.stored()}

    out = _run(work, as_json=as_json)
    lines = [
        f"{k['kid']}  {k['alg']}  "
        f"{'active' if k['active'] else 'published' if k['published'] else 'expired'}"
        f"  created {k['created_at'][:19]}  "
        f"{'sealed under KEK ' + k['sealed_by'] if k['sealed_by'] else 'NOT SEALED'}"
        for k in out["keys"]
    ]
    lines.append(f"{len(out['keys'])} signing keys")
    _emit(out, "\n".join(lines), as_json, note=lines[-1])


@keys_app.command("rekey")
def rekey_keys(
    as_json: JsonFlag = False,
) -> None:
    """Re-seal every signing key under the first KEK of HUB_KEY_ENCRYPTION_KEY.

    Put the new KEK first and the old one after it, run this, then drop the
    old KEK.  Running workers keep their keys in memory; restart them with
    the new setting at leisure.
    """

    async def work(settings: Settings, maker: _Maker) -> dict[str, Any]:
        keyring = await load_keyring(maker, settings, SystemClock())
        report = await keyring.rekey(actor=OPERATOR)
        return {"kek": report.kek, "resealed": report.resealed, "keys": report.total}

    out = _run(work, as_json=as_json)
    human = (
        f"{out['resealed']} of {out['keys']} signing keys re-sealed; all are now "
        f"sealed under KEK {out['kek']}."
    )
    _emit(out, human, as_json, note=human)


@keys_app.command("new-kek")
def new_kek() -> None:
    """Print a new key-encryption key (32 random bytes, URL-safe base64).

    Store it where the service reads HUB_KEY_ENCRYPTION_KEY(_FILE) and, apart
    from the database backups, in the place you keep such secrets.
    """
    from hub.auth.sealing import KeySealer, generate_kek

    kek = generate_kek()
    typer.echo(kek)
    name = KeySealer.parse(kek).current_id
    typer.echo(f"KEK id {name} (the id stored with the keys it seals)", err=True)
