"""Every import and re-submission is recorded as a run with its counts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hub.importer import quarantine
from hub.importer.readers import RawRow
from hub.importer.runs import recent_runs
from hub.importer.service import import_file, import_raw
from tests.importer.helpers import USCC_A, USCC_B, entity, record, write_jsonl


async def _runs(sessionmaker: Any) -> list[tuple[str, str, str, int, int]]:
    async with sessionmaker() as session:
        found = await recent_runs(session)
    return [(r.source_file, r.kind, r.status, r.inserted, r.quarantined) for r in found]


async def test_an_import_and_a_resubmission_are_runs_with_counts(
    sessionmaker: Any, clock: Any, tmp_path: Path
) -> None:
    rows = [entity(USCC_A), record(USCC_A, "R1"), record(USCC_B, "R2")]
    await import_file(
        sessionmaker, write_jsonl(tmp_path / "a.jsonl", rows), "jsonl", clock
    )
    clock.advance(hours=1)
    await quarantine.resubmit(sessionmaker, clock)
    assert await _runs(sessionmaker) == [
        ("*", "RESUBMIT", "DONE", 0, 1),
        ("a.jsonl", "IMPORT", "DONE", 2, 1),
    ]


async def test_a_run_that_breaks_is_recorded_as_failed(
    sessionmaker: Any, clock: Any
) -> None:
    def rows() -> Iterator[RawRow]:
        raise OSError("disk gone")
        yield  # pragma: no cover

    with pytest.raises(OSError):
        await import_raw(sessionmaker, rows(), clock, source_file="broken.jsonl")
    async with sessionmaker() as session:
        (run,) = await recent_runs(session)
    assert (run.status, run.source_file) == ("FAILED", "broken.jsonl")
    assert run.error == "OSError: disk gone"
    assert run.finished_at is not None
