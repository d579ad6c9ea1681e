"""Import runs: each import of a file, and each re-submission, with its counts.

A run is written when it starts (RUNNING) and when it ends (DONE with the
counts, or FAILED with the error), each in its own short transaction, so
a run that dies midway is visible as such.  The batches in between commit
on their own, as they always have: a FAILED run's earlier batches stay
loaded, and its counts say how far it got.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.clock import Clock
from hub.db import session_scope
from hub.importer import repository as repo
from hub.metrics import IMPORT_JOBS
from hub.models import ImportRun, new_id

__all__ = ["RunKind", "recent_runs", "recorded_run"]


class RunKind:
    IMPORT = "IMPORT"
    RESUBMIT = "RESUBMIT"


@asynccontextmanager
async def recorded_run(
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: Clock,
    *,
    source_file: str,
    kind: str,
    summary: object,
) -> AsyncIterator[str]:
    """Record a run around the block; ``summary`` (an ``ImportSummary``) is
    read for the counts when the block ends."""
    run_id = new_id()
    async with session_scope(sessionmaker) as session:
        session.add(
            ImportRun(
                id=run_id,
                source_file=source_file[:500],
                kind=kind,
                status="RUNNING",
                started_at=clock.now(),
                inserted=0,
                updated=0,
                unchanged=0,
                quarantined=0,
            )
        )
    error: str | None = None
    try:
        yield run_id
    except BaseException as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        raise
    finally:
        counts = {
            name: int(getattr(summary, name, 0))
            for name in ("inserted", "updated", "unchanged", "quarantined")
        }
        async with session_scope(sessionmaker) as session:
            await repo.finish_run(
                session,
                run_id,
                status="FAILED" if error else "DONE",
                finished_at=clock.now(),
                error=error,
                counts=counts,
            )
        IMPORT_JOBS.labels(
            "failed" if error else "quarantined" if counts["quarantined"] else "clean"
        ).inc()


async def recent_runs(session: AsyncSession, limit: int = 50) -> list[ImportRun]:
    """The latest runs, newest first."""
    return await repo.recent_runs(session, limit)
