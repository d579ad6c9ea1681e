"""``xinyi-hub generate``: write a synthetic import file for trials and benchmarks."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from hub.demo.generator import DEFAULT_SEED, write_jsonl

__all__ = ["register"]


def generate_command(
    file: Annotated[
        Path, typer.Argument(dir_okay=False, help="JSON Lines file to write")
    ],
    entities: Annotated[
        int, typer.Option("--entities", min=1, help="number of entities")
    ] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="same seed, same rows")] = (
        DEFAULT_SEED
    ),
    today: Annotated[
        str | None,
        typer.Option("--today", help="anchor date YYYY-MM-DD (default: today)"),
    ] = None,
) -> None:
    """Write N synthetic Henan entities with records and list memberships.

    The file is in the import format: load it with `xinyi-hub import FILE`.
    """
    anchor = date.fromisoformat(today) if today else None
    count = write_jsonl(file, entities, seed, anchor)
    typer.echo(f"wrote {count} rows for {entities} entities to {file}", err=True)


def register(app: typer.Typer) -> None:
    """Add ``generate`` to the ``xinyi-hub`` app."""
    app.command("generate")(generate_command)
