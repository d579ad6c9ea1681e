"""``xinyi-hub import`` and ``xinyi-hub quarantine …`` (interfaces.md, "Command line").

``--json`` commands print exactly one JSON object on stdout; everything meant
for people goes to stderr.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.clock import SystemClock
from hub.db import create_engine, make_sessionmaker, migrate
from hub.errors import HubError
from hub.importer import quarantine as quarantine_service
from hub.importer.readers import Format
from hub.importer.service import ImportSummary, import_file
from hub.settings import Settings

__all__ = ["register"]

T = TypeVar("T")
RowType = Literal["entity", "record", "list"]

DatabaseUrl = Annotated[
    str | None,
    typer.Option("--database-url", help="SQLAlchemy URL (default: HUB_DATABASE_URL)"),
]
JsonFlag = Annotated[
    bool, typer.Option("--json", help="print one JSON object on stdout")
]


def _run(
    url: str | None, work: Callable[[async_sessionmaker[AsyncSession]], Awaitable[T]]
) -> T:
    """Migrate the database, then run ``work`` with a sessionmaker on it."""
    database_url = url or Settings().database_url
    migrate(database_url)

    async def main() -> T:
        engine = create_engine(database_url)
        try:
            return await work(make_sessionmaker(engine))
        finally:
            await engine.dispose()

    return asyncio.run(main())


def _err() -> Console:
    """People's output: stderr, never wrapped mid-reason."""
    return Console(stderr=True, soft_wrap=True)


@contextmanager
def _progress_bar(path: Path, err: Console) -> Any:
    """A byte-based progress bar on stderr, only for a person at a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task(f"importing {path.name}", total=path.stat().st_size)
        yield lambda done: bar.update(task, completed=done)


def _report(summary: ImportSummary, err: Console, label: str) -> None:
    err.print(
        f"{label}: {summary.inserted} inserted, {summary.updated} updated, "
        f"{summary.unchanged} unchanged, {summary.quarantined} quarantined",
        highlight=False,
        markup=False,
    )
    for reason in summary.problems[:20]:
        err.print(f"  {reason}", highlight=False, markup=False)
    if summary.quarantined > 20:
        err.print("  … see `xinyi-hub quarantine list`", highlight=False)


def import_command(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="JSON Lines or CSV file")
    ],
    fmt: Annotated[
        Format | None,
        typer.Option(
            "--format",
            help="jsonl, csv, or the national 双公示 CSV formats xzcf (行政处罚) and "
            "xzxk (行政许可) (default: from the file suffix)",
        ),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option(
            "--encoding",
            help="text encoding of a CSV file, e.g. gb18030 (default: utf-8; "
            "xzcf/xzxk: detected, UTF-8 or GB18030)",
        ),
    ] = None,
    row_type: Annotated[
        RowType | None,
        typer.Option(
            "--type",
            help="row type of a one-type CSV file: entity, record or list",
        ),
    ] = None,
    as_json: JsonFlag = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Load entities, records and list memberships; bad rows are quarantined.

    ``--format xzcf|xzxk`` reads an agency's 双公示 disclosure file as records
    of registered entities.  Exit status 0 when no row was quarantined, 1
    otherwise.
    """
    err = _err()
    try:
        with _progress_bar(file, err) as progress:
            summary = _run(
                database_url,
                lambda maker: import_file(
                    maker,
                    file,
                    fmt,
                    SystemClock(),
                    progress,
                    row_type=row_type,
                    encoding=encoding,
                ),
            )
    except HubError as exc:
        err.print(f"error: {exc.message}", highlight=False, markup=False)
        raise typer.Exit(2) from None
    _report(summary, err, file.name)
    if as_json:
        typer.echo(json.dumps(summary.as_json()))
    raise typer.Exit(0 if summary.quarantined == 0 else 1)


quarantine_app = typer.Typer(
    help="Rows an import refused: list, export to fix, resubmit, resolve.",
    no_args_is_help=True,
)


@quarantine_app.command("list")
def list_command(
    file: Annotated[
        str | None, typer.Option("--file", help="only rows from this file (its name)")
    ] = None,
    include_resolved: Annotated[
        bool, typer.Option("--all", help="include resolved rows")
    ] = False,
    as_json: JsonFlag = False,
    database_url: DatabaseUrl = None,
) -> None:
    """List quarantined rows with their line numbers and reasons."""
    source = Path(file).name if file else None

    async def work(maker: async_sessionmaker[AsyncSession]) -> list[dict[str, Any]]:
        return [
            quarantine_service.as_dict(r)
            async for r in quarantine_service.iter_quarantined(
                maker, source_file=source, include_resolved=include_resolved
            )
        ]

    rows = _run(database_url, work)
    if as_json:
        typer.echo(json.dumps({"rows": rows, "count": len(rows)}, ensure_ascii=False))
        return
    out = _err()
    for r in rows:
        state = " (resolved)" if r["resolved_at"] else ""
        out.print(
            f"#{r['id']} {r['source_file']} {r['reason']}{state}",
            highlight=False,
            markup=False,
        )
    out.print(f"{len(rows)} quarantined row(s)", highlight=False)


@quarantine_app.command("export")
def export_command(
    output: Annotated[
        Path, typer.Option("-o", "--output", help="JSON Lines file to write")
    ],
    file: Annotated[
        str | None, typer.Option("--file", help="only rows from this file (its name)")
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Write unresolved rows as JSON Lines, to fix and import again."""
    source = Path(file).name if file else None
    count = _run(
        database_url,
        lambda maker: quarantine_service.export(maker, output, source_file=source),
    )
    _err().print(f"wrote {count} row(s) to {output}", highlight=False, markup=False)


@quarantine_app.command("resubmit")
def resubmit_command(
    file: Annotated[
        str | None, typer.Option("--file", help="only rows from this file (its name)")
    ] = None,
    as_json: JsonFlag = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Retry unresolved rows as stored; rows that now load are resolved.

    Exit status 0 when every retried row loaded, 1 otherwise.
    """
    source = Path(file).name if file else None
    summary = _run(
        database_url,
        lambda maker: quarantine_service.resubmit(
            maker, SystemClock(), source_file=source
        ),
    )
    _report(summary, _err(), "resubmit")
    if as_json:
        typer.echo(json.dumps(summary.as_json()))
    raise typer.Exit(0 if summary.quarantined == 0 else 1)


@quarantine_app.command("resolve")
def resolve_command(
    ids: Annotated[list[int], typer.Argument(help="quarantined row ids")],
    database_url: DatabaseUrl = None,
) -> None:
    """Mark rows resolved by hand (e.g. fixed and imported from an export)."""
    _run(
        database_url,
        lambda maker: quarantine_service.resolve(maker, ids, SystemClock().now()),
    )
    _err().print(f"resolved {len(ids)} row(s)", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``import`` and the ``quarantine`` group to the ``xinyi-hub`` app."""
    app.command("import")(import_command)
    app.add_typer(quarantine_app, name="quarantine")
