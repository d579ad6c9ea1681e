"""Bulk import: stream a file, validate each row, upsert in batches.

Each batch is its own transaction (a million-line file must neither sit in
memory nor in one transaction), so this module opens its own units of work
through ``session_scope`` rather than taking the caller's session.  A batch
that loads stays loaded even if a later one fails; re-running the import is
safe because every upsert is idempotent.

Example (inside an event loop)::

    summary = await import_file(maker, Path("rows.jsonl"), "jsonl", clock)
    summary.as_json()  # {'inserted': 3, 'updated': 0, 'unchanged': 0, ...}
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.clock import Clock
from hub.db import session_scope
from hub.importer import bulk
from hub.importer.batch import Outcome, Parsed, load_batch, refuse
from hub.importer.readers import Format, RawRow, read_rows
from hub.importer.rows import (
    ROW_TYPES,
    RecordRow,
    RowError,
    future_dated,
    parse_row,
)
from hub.importer.runs import RunKind, recorded_run
from hub.metrics import IMPORT_ROWS

__all__ = [
    "BATCH_SIZE",
    "ImportSummary",
    "Progress",
    "import_file",
    "import_raw",
    "import_rows",
    "parse",
]

BATCH_SIZE = 2000
# Reasons kept in memory for the report; all of them are in the quarantine.
MAX_PROBLEMS = 1000

Progress = Callable[[int], None]
"""Called after each batch with the number of bytes of the file consumed."""


@dataclass
class ImportSummary:
    """Counts over all row types, plus the first reasons for the report."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    problems: list[str] = field(default_factory=list)

    def count(self, p: Parsed) -> None:
        outcome = p.outcome or Outcome.QUARANTINED
        setattr(self, outcome.value, getattr(self, outcome.value) + 1)
        if p.reason and len(self.problems) < MAX_PROBLEMS:
            self.problems.append(p.reason)

    @property
    def total(self) -> int:
        return self.inserted + self.updated + self.unchanged + self.quarantined

    def as_json(self) -> dict[str, int]:
        """The ``import --json`` object (interfaces.md, "Import summary")."""
        return {
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "quarantined": self.quarantined,
        }


def parse(
    raw: RawRow, row_type: str | None = None, today: date | None = None
) -> Parsed:
    """Validate one raw row; a failure becomes a quarantined ``Parsed``.

    Given ``today`` (China time), a record decided after it is refused too.
    """
    p = Parsed(raw.line_no, raw.raw, raw.row_type or row_type, None)
    if "\x00" in raw.raw:
        # PostgreSQL text cannot hold NUL; quarantine a visible stand-in.
        p.raw = raw.raw.replace("\x00", "\ufffd")
    if raw.error is not None:
        refuse(p, raw.error)
        return p
    if p.raw is not raw.raw or "\\u0000" in raw.raw:
        refuse(p, "contains a NUL character, which text fields cannot hold")
        return p
    try:
        p.row = parse_row(raw.data, row_type)
    except RowError as exc:
        p.row_type = exc.row_type or p.row_type
        refuse(p, exc)
        return p
    if today is not None and isinstance(p.row, RecordRow):
        reason = future_dated(p.row, today)
        if reason is not None:
            p.row = None
            refuse(p, reason)
    return p


def _batches(it: Iterable[RawRow], size: int) -> Iterator[list[RawRow]]:
    iterator = iter(it)
    while batch := list(islice(iterator, size)):
        yield batch


def _quarantine_rows(
    source_file: str, items: list[Parsed], now: Any
) -> list[dict[str, Any]]:
    source_file = source_file[:500]
    return [
        {
            "source_file": source_file,
            "line_no": p.line_no,
            "row_type": p.row_type if p.row_type in ROW_TYPES else None,
            "raw": p.raw,
            "reason": p.reason,
            "created_at": now,
            "resolved_at": None,
        }
        for p in items
        if p.outcome is Outcome.QUARANTINED
    ]


async def import_raw(
    sessionmaker: async_sessionmaker[AsyncSession],
    rows: Iterable[RawRow],
    clock: Clock,
    *,
    source_file: str,
    row_type: str | None = None,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportSummary:
    """Load decoded rows batch by batch; quarantine the ones that fail.

    The run and its counts are recorded (``hub.importer.runs``).
    """
    summary = ImportSummary()
    async with recorded_run(
        sessionmaker,
        clock,
        source_file=source_file,
        kind=RunKind.IMPORT,
        summary=summary,
    ):
        for raws in _batches(rows, batch_size):
            now, today = clock.now(), clock.today()
            items = [parse(r, row_type, today) for r in raws]
            async with session_scope(sessionmaker) as session:
                await load_batch(session, items, now, today)
                await bulk.quarantine(
                    session, _quarantine_rows(source_file, items, now)
                )
            before = summary.as_json()
            for p in items:
                summary.count(p)
            for outcome, n in summary.as_json().items():
                if n > before[outcome]:
                    IMPORT_ROWS.labels(outcome).inc(n - before[outcome])
            if progress is not None:
                progress(raws[-1].position)
    return summary


async def import_file(
    sessionmaker: async_sessionmaker[AsyncSession],
    path: Path,
    fmt: Format | None,
    clock: Clock,
    progress: Progress | None = None,
    *,
    row_type: str | None = None,
    batch_size: int = BATCH_SIZE,
    encoding: str | None = None,
) -> ImportSummary:
    """Import a JSONL, CSV or national 双公示 (xzcf, xzxk) file (format from
    ``fmt`` or the file suffix; ``encoding`` for CSV, detected for xzcf/xzxk).

    Quarantined rows are stored under the file's name, which is what
    ``xinyi-hub quarantine list --file`` matches.
    """
    path = Path(path)
    return await import_raw(
        sessionmaker,
        read_rows(path, fmt, row_type, encoding),
        clock,
        source_file=path.name,
        row_type=row_type,
        progress=progress,
        batch_size=batch_size,
    )


async def import_rows(
    sessionmaker: async_sessionmaker[AsyncSession],
    rows: Iterable[dict[str, Any]],
    clock: Clock,
    *,
    source_file: str = "<rows>",
    batch_size: int = BATCH_SIZE,
) -> ImportSummary:
    """Import already-decoded rows (same path as a file; line = position)."""
    raws = (
        RawRow(
            i, json.dumps(d, ensure_ascii=False, default=str), d, None, d.get("type"), i
        )
        for i, d in enumerate(rows, start=1)
    )
    return await import_raw(
        sessionmaker, raws, clock, source_file=source_file, batch_size=batch_size
    )
