"""Progress for long commands: a bar for a person at a terminal, else nothing.

On a pipe or in cron the command prints only its result line, so logs stay
one line per run.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

__all__ = ["counting_bar"]


@contextmanager
def counting_bar(
    description: str, total: int
) -> Iterator[Callable[[int], None] | None]:
    """Yield ``update(done)`` drawing a bar on stderr, or ``None`` off a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    console = Console(stderr=True)
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=total)
        yield lambda done: bar.update(task, completed=done)
