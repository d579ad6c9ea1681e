"""The ``xinyi-hub`` command line.  ``--json`` commands print one JSON object."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import typer

from hub.db import create_engine, make_sessionmaker, masked_url, migrate
from hub.logs import configure_logging
from hub.metrics import ENV as METRICS_DIR_ENV
from hub.metrics import prepare_multiprocess_dir, serve_metrics
from hub.root.commands.auth import clients_app
from hub.root.commands.auth import register as register_auth
from hub.root.commands.clients import register as register_clients
from hub.root.commands.events import register as register_events
from hub.root.commands.failures import fail, run_main
from hub.root.commands.generate import register as register_generate
from hub.root.commands.importer import register as register_import
from hub.root.commands.portal import register as register_portal
from hub.root.commands.rights import register as register_rights
from hub.root.commands.sandbox import register as register_sandbox
from hub.settings import Settings

__all__ = ["app", "main"]

app = typer.Typer(
    name="xinyi-hub",
    help="Integration hub of a 信易+ credit-incentive programme.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
schema_app = typer.Typer(help="The GraphQL schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(audit_app, name="audit")
app.add_typer(schema_app, name="schema")
register_auth(app)
register_clients(clients_app)
register_import(app)
register_generate(app)
register_sandbox(app)
register_rights(app)
register_events(app)
register_portal(app)


def _err(text: str) -> None:
    typer.echo(text, err=True)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"xinyi-hub {version('xinyi-hub')}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        callback=_version,
        is_eager=True,
        help="Print 'xinyi-hub <version>' and exit.",
    ),
) -> None:
    """Integration hub of a 信易+ credit-incentive programme."""


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to bind."),
    port: int = typer.Option(8000, help="TCP port."),
    workers: int = typer.Option(
        1, help="Worker processes (needs HUB_REDIS_URL if > 1)."
    ),
) -> None:
    """Run the API (uvicorn); creates or migrates the database first."""
    import uvicorn

    from hub.auth.sealing import sealer_from_settings

    settings = Settings()
    # Production without a key-encryption key stops here, in one line.
    sealer_from_settings(settings)
    if workers > 1 and not settings.redis_url:
        _err(
            "error: more than one worker needs HUB_REDIS_URL (shared cache and limits)"
        )
        raise typer.Exit(2)
    configure_logging(settings.log_format, settings.log_level)
    if workers > 1:
        # Every worker writes its metrics to files here; a scrape sums them.
        prepare_multiprocess_dir(
            os.environ.get(METRICS_DIR_ENV)
            or tempfile.mkdtemp(prefix="xinyi-hub-metrics-")
        )
    migrate(settings.database_url)
    if settings.metrics_port is not None:
        serve_metrics(host, settings.metrics_port, settings.metrics_token)
    uvicorn.run(
        "hub.root.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level.lower(),
        # The hub's formatter (hub.logs) writes every line, uvicorn's too;
        # its access line per request is hub.request_log's.
        log_config=None,
        access_log=False,
        # X-Forwarded-For is believed only from HUB_TRUSTED_PROXIES, by the
        # app itself (hub.forwarded); uvicorn's own handling would believe
        # it from any loopback peer.
        proxy_headers=False,
    )


@db_app.command("upgrade")
def db_upgrade(
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Apply migrations (Alembic) to HUB_DATABASE_URL."""
    from hub.db import migration_state

    settings = Settings()
    migrate(settings.database_url)
    url = masked_url(settings.database_url)
    if as_json:
        typer.echo(
            json.dumps({"database": url, **migration_state(settings.database_url)})
        )
    _err(f"database at {url} is up to date")


@db_app.command("current")
def db_current(
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Print the applied Alembic revision (and whether it is the newest)."""
    from hub.db import migration_state

    settings = Settings()
    state = migration_state(settings.database_url)
    url = masked_url(settings.database_url)
    if as_json:
        typer.echo(json.dumps({"database": url, **state}))
        return
    typer.echo(state["current"] or "none")
    behind = "up to date" if state["up_to_date"] else f"newest is {state['head']}"
    _err(f"database at {url}: revision {state['current'] or 'none'} ({behind})")


@audit_app.command("verify")
def audit_verify(
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    since: int = typer.Option(
        1,
        "--since",
        min=1,
        metavar="SEQ",
        help="Start at this seq, trusting the stored hash before it (a chain "
        "verified up to there before).",
    ),
    checkpoint: Path | None = typer.Option(
        None,
        "--checkpoint",
        help="Check against a checkpoint kept elsewhere: a JSON file holding "
        "one, or what GET /audit/checkpoints answered (the last one counts).",
    ),
) -> None:
    """Re-hash the whole audit chain; exit 1 and name the first broken event.

    The chain must also reach the latest signed checkpoint (or the one given),
    so removing the newest events is detected.
    """
    from hub.audit.health import verify_now
    from hub.auth.keys import load_keyring
    from hub.clock import SystemClock
    from hub.root.commands.progress import counting_bar

    settings = Settings()
    migrate(settings.database_url)
    given = _read_checkpoint(checkpoint, as_json) if checkpoint else None

    async def run() -> Any:
        engine = create_engine(settings.database_url)
        try:
            maker = make_sessionmaker(engine)
            clock = SystemClock()
            keys = await load_keyring(maker, settings, clock)
            return await verify_now(
                maker,
                keys,
                clock,
                anchor=given,
                since=since,
                watch=lambda total: counting_bar("verifying the audit chain", total),
            )
        finally:
            await engine.dispose()

    report = asyncio.run(run())
    if as_json:
        typer.echo(json.dumps(report.as_json()))
    anchor = report.checkpoint
    anchored = f", reaching the checkpoint of {anchor.at}" if anchor else ""
    start = f" from seq {since}" if since > 1 else ""
    if report.ok:
        _err(f"audit chain intact: {report.events} events{start}{anchored}")
    else:
        where = report.first_broken or "its end"
        _err(f"audit chain BROKEN at {where}: {report.reason}")
        raise typer.Exit(1)


def _read_checkpoint(path: Path, as_json: bool) -> Any:
    from hub.audit.checkpoints import Checkpoint

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "checkpoints" in data:
            data = data["checkpoints"][-1]
        return Checkpoint.from_json(data)
    except (OSError, ValueError, IndexError, TypeError) as exc:
        fail("BAD_FILE", f"{path} holds no checkpoint ({exc})", as_json=as_json)


@schema_app.command("export")
def schema_export(
    output: Path | None = typer.Option(None, "-o", "--output", help="Write to FILE."),
) -> None:
    """Print the GraphQL SDL."""
    from schema import get_schema

    sdl = get_schema(False).as_str() + "\n"
    if output is None:
        sys.stdout.write(sdl)
    else:
        output.write_text(sdl, encoding="utf-8")


@app.command()
def demo(
    entities: int = typer.Option(1000, help="Synthetic enterprises to seed."),
    port: int = typer.Option(8000, help="TCP port of the API."),
    host: str = typer.Option("127.0.0.1", help="Interface to bind."),
    seed: int = typer.Option(2026, help="Random seed (same seed, same data)."),
    sandbox_port: int = typer.Option(
        8700, help="Port of the agency sandbox the connectors pull from (0: none)."
    ),
) -> None:
    """Migrate, seed demo data, create demo clients, print credentials, serve.

    Also starts the agency sandbox (``xinyi-hub sandbox``) and points the
    built-in connectors at it, so profile reads show live pulls.
    """
    import subprocess

    from hub.demo.setup import prepare_demo, print_credentials

    # Links the demo hands out (the portal's login link) point at this server.
    os.environ.setdefault("HUB_PUBLIC_URL", f"http://{host}:{port}")
    settings = Settings()
    migrate(settings.database_url)
    info = asyncio.run(prepare_demo(settings, entities=entities, seed=seed, port=port))
    print_credentials(info, host=host, port=port)
    sandbox = None
    if sandbox_port:
        sandbox = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "hub.root.cli",
                "sandbox",
                "--host",
                "127.0.0.1",
                "--port",
                str(sandbox_port),
            ]
        )
        base = f"http://127.0.0.1:{sandbox_port}"
        for name in ("HENAN_TAX", "COURT_DISHONEST", "MARKET_REGULATION", "UTILITIES"):
            os.environ.setdefault(f"HUB_CONNECTORS__{name}__BASE_URL", base)
        _err(f"agency sandbox: {base} (connectors point at it)")
    import uvicorn

    try:
        uvicorn.run(
            "hub.root.app:create_app",
            factory=True,
            host=host,
            port=port,
            log_level="info",
            log_config=None,  # see ``serve``
            access_log=False,
            proxy_headers=False,  # see ``serve``
        )
    finally:
        if sandbox is not None:
            sandbox.terminate()
            sandbox.wait(10)


def main() -> None:
    # Unreachable databases, bad files and settings: one line, exit 2.
    run_main(app)


if __name__ == "__main__":
    main()
