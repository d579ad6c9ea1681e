"""The quarantine: rows an import refused, kept until an operator deals with them.

Nothing is dropped silently (interfaces.md, "Import format").  Operators list
the rows, export them as JSON Lines to fix and re-import, or resubmit them as
they are once the cause is gone (typically: the entity a record refers to has
been imported since).  A row that loads on resubmission is marked resolved.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.clock import Clock
from hub.db import session_scope
from hub.importer import repository as repo
from hub.importer.batch import Outcome, load_batch
from hub.importer.readers import RawRow
from hub.importer.runs import RunKind, recorded_run
from hub.importer.service import BATCH_SIZE, ImportSummary, parse
from hub.models import QuarantinedRow

__all__ = [
    "FileQuarantine",
    "as_dict",
    "by_file",
    "export",
    "iter_quarantined",
    "page",
    "resolve",
    "resubmit",
]


@dataclass(frozen=True, slots=True)
class FileQuarantine:
    """What one source file left in the quarantine."""

    source_file: str
    unresolved: int
    resolved: int
    first_at: datetime
    last_at: datetime


async def by_file(session: AsyncSession) -> list[FileQuarantine]:
    """Every source file with quarantined rows, most recent first."""
    return [FileQuarantine(*row) for row in await repo.quarantine_files(session)]


async def page(
    session: AsyncSession,
    *,
    source_file: str | None = None,
    include_resolved: bool = False,
    after_id: int = 0,
    limit: int = 100,
) -> list[QuarantinedRow]:
    """One page of quarantined rows, oldest first (keyset on id)."""
    return await repo.quarantined(
        session,
        source_file=source_file,
        include_resolved=include_resolved,
        after_id=after_id,
        limit=limit,
    )


def as_dict(row: QuarantinedRow) -> dict[str, Any]:
    """One quarantined row as ``quarantine list --json`` prints it."""
    return {
        "id": row.id,
        "source_file": row.source_file,
        "line_no": row.line_no,
        "row_type": row.row_type,
        "reason": row.reason,
        "raw": row.raw,
        "created_at": row.created_at.isoformat(),
        "resolved_at": row.resolved_at.isoformat() if row.resolved_at else None,
    }


async def iter_quarantined(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    source_file: str | None = None,
    include_resolved: bool = False,
    batch_size: int = BATCH_SIZE,
) -> AsyncIterator[QuarantinedRow]:
    """All matching rows, oldest first, fetched in pages (keyset on id)."""
    after = 0
    while True:
        async with session_scope(sessionmaker) as session:
            page = await repo.quarantined(
                session,
                source_file=source_file,
                include_resolved=include_resolved,
                after_id=after,
                limit=batch_size,
            )
        for row in page:
            yield row
        if len(page) < batch_size:
            return
        after = page[-1].id


async def export(
    sessionmaker: async_sessionmaker[AsyncSession],
    out: Path,
    *,
    source_file: str | None = None,
) -> int:
    """Write the unresolved rows' raw text as JSON Lines; returns the count.

    Each line is the row exactly as it was received (CSV rows as a JSON object
    with their ``type``), so it can be edited and imported again.
    """
    count = 0
    with out.open("w", encoding="utf-8") as f:
        async for row in iter_quarantined(sessionmaker, source_file=source_file):
            f.write(row.raw.replace("\n", " ") + "\n")
            count += 1
    return count


async def resubmit(
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: Clock,
    *,
    source_file: str | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportSummary:
    """Retry unresolved rows as stored; resolve the ones that now load.

    Rows that fail again stay quarantined with their current reason.  Counts
    are over the retried rows.
    """
    summary = ImportSummary()
    async with recorded_run(
        sessionmaker,
        clock,
        source_file=source_file or "*",
        kind=RunKind.RESUBMIT,
        summary=summary,
    ):
        after = 0
        while True:
            now, today = clock.now(), clock.today()
            async with session_scope(sessionmaker) as session:
                page = await repo.quarantined(
                    session, source_file=source_file, after_id=after, limit=batch_size
                )
                items = [parse(_raw(q), q.row_type, today) for q in page]
                await load_batch(session, items, now, today)
                loaded = [
                    q.id
                    for q, p in zip(page, items, strict=True)
                    if p.outcome is not Outcome.QUARANTINED
                ]
                failed = [
                    (q.id, p.reason or q.reason)
                    for q, p in zip(page, items, strict=True)
                    if p.outcome is Outcome.QUARANTINED
                ]
                await repo.resolve(session, loaded, now)
                await repo.set_reasons(session, failed)
            for p in items:
                summary.count(p)
            if len(page) < batch_size:
                return summary
            after = page[-1].id


async def resolve(
    sessionmaker: async_sessionmaker[AsyncSession],
    ids: list[int],
    now: datetime,
) -> None:
    """Mark rows resolved by hand (fixed and re-imported from an export)."""
    async with session_scope(sessionmaker) as session:
        await repo.resolve(session, ids, now)


def _raw(row: QuarantinedRow) -> RawRow:
    try:
        data = json.loads(row.raw)
    except json.JSONDecodeError as exc:
        return RawRow(
            row.line_no, row.raw, None, f"malformed JSON: {exc}", row.row_type
        )
    return RawRow(row.line_no, row.raw, data, None, row.row_type)
