"""One-line errors for the command line: exit status 2, never a traceback.

An operator who runs ``xinyi-hub`` against a database that cannot be
reached, a file that is not what it should be, or a bad setting gets one
line naming what and where (database URLs with the password masked) — and
with ``--json`` also one object ``{"error": {"code", "message"}}`` on stdout.
Anything not recognised here is a bug and keeps its traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import NoReturn

import typer
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

from hub.auth.sealing import KeyEncryptionError
from hub.db import masked_url
from hub.errors import HubError

__all__ = ["CommandFailure", "describe", "fail", "run_main"]


class CommandFailure(Exception):
    """Raised by commands for an expected failure with a stable code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _database_url() -> str:
    from hub.settings import Settings

    try:
        return masked_url(Settings().database_url)
    except ValidationError:
        return "the configured database"


def describe(exc: BaseException) -> tuple[str, str] | None:
    """``(code, one-line message)`` for an expected failure, else ``None``."""
    if isinstance(exc, CommandFailure):
        return exc.code, exc.message
    if isinstance(exc, HubError):
        return str(exc.code), exc.message
    if isinstance(exc, KeyEncryptionError):
        return "KEY_ENCRYPTION", str(exc)
    if isinstance(exc, ValidationError):
        problems = "; ".join(
            f"HUB_{'__'.join(map(str, e['loc'])).upper()}: {e['msg']}"
            for e in exc.errors()
        )
        return "BAD_SETTING", f"invalid settings: {problems}"
    if isinstance(exc, OperationalError | DBAPIError):
        return (
            "DATABASE_UNAVAILABLE",
            f"database at {_database_url()} cannot be used: {_first_line(exc)}",
        )
    if isinstance(exc, SQLAlchemyError):
        return "DATABASE_UNAVAILABLE", f"database error: {_first_line(exc)}"
    if isinstance(exc, ConnectionError | TimeoutError):
        # asyncpg raises these before SQLAlchemy can wrap them.
        return (
            "DATABASE_UNAVAILABLE",
            f"database at {_database_url()} cannot be reached: {_first_line(exc)}",
        )
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        return "BAD_FILE", f"cannot use{where}: {exc.strerror or _first_line(exc)}"
    return None


def fail(code: str, message: str, *, as_json: bool) -> NoReturn:
    """Print the error (also as JSON on stdout with ``--json``); exit with 2."""
    if as_json:
        typer.echo(json.dumps({"error": {"code": code, "message": message}}))
    typer.echo(f"error [{code}]: {message}", err=True)
    raise typer.Exit(2)


def run_main(app: typer.Typer, argv: Sequence[str] | None = None) -> None:
    """Run the command line; expected failures end as one line, exit 2."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        app(args=args, prog_name="xinyi-hub")
    except Exception as exc:
        described = describe(exc)
        if described is None:
            raise
        try:
            fail(*described, as_json="--json" in args)
        except typer.Exit as done:
            sys.exit(done.exit_code)
