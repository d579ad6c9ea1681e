"""Import throughput: the importer on SQLite and PostgreSQL against PostgreSQL COPY.

Generates (or reuses) a JSON Lines file holding ``--records`` credit records
plus their entities and list memberships, imports it into a fresh SQLite file
and a scratch PostgreSQL database, then COPYs the same record rows into a
plain table with asyncpg's ``copy_records_to_table`` and prints rows/second
and the ratio importer / COPY.  ``--before DIR`` also times the importer of
another checkout of the hub (e.g. ``git archive`` of an older commit) on the
same file, in a subprocess with that tree first on ``sys.path``, into its own
scratch database, so the two importers are compared on one machine and one
file.

    .venv/bin/python bench/import_bench.py --records 1000000
    .venv/bin/python bench/import_bench.py --records 200000 --skip-sqlite
    .venv/bin/python bench/import_bench.py --skip-sqlite --before /tmp/imp-before
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from hub.clock import FrozenClock
from hub.db import create_engine, make_sessionmaker, migrate
from hub.demo.generator import generate
from hub.importer.service import ImportSummary, import_file

TODAY = date(2026, 11, 23)
COPY_CHUNK = 100_000
COPY_COLUMNS = (
    "uscc",
    "source",
    "source_id",
    "category",
    "kind",
    "severity",
    "status",
    "title",
    "authority",
    "occurred_on",
    "decided_on",
    "publish_from",
    "publish_until",
    "details",
)


def make_file(path: Path, records: int, seed: int) -> tuple[int, int]:
    """Write whole entities until ``records`` records; returns (rows, records)."""
    rows = recs = 0
    with path.open("w", encoding="utf-8") as f:
        for row in generate(10**9, seed, TODAY):
            if row["type"] == "entity" and recs >= records:
                break
            recs += row["type"] == "record"
            rows += 1
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return rows, recs


def count_file(path: Path) -> tuple[int, int]:
    rows = recs = 0
    with path.open("rb") as f:
        for line in f:
            rows += 1
            recs += b'"type": "record"' in line
    return rows, recs


def reporter(path: Path, every: float) -> Callable[[int], None]:
    """Prints elapsed time, share of the file and load average every ``every``
    seconds (for runs too long to wait for blind)."""
    size = path.stat().st_size
    started = last = time.perf_counter()

    def progress(consumed: int) -> None:
        nonlocal last
        now = time.perf_counter()
        if now - last >= every:
            last = now
            print(
                f"  {now - started:8.0f} s  {consumed / size:6.1%} of the file  "
                f"load {os.getloadavg()[0]:.1f}",
                flush=True,
            )

    return progress


async def run_importer(
    url: str, path: Path, every: float | None = None
) -> tuple[float, ImportSummary]:
    migrate(url)
    engine = create_engine(url)
    try:
        clock = FrozenClock(datetime(2026, 11, 23, 9, tzinfo=UTC))
        progress = reporter(path, every) if every else None
        started = time.perf_counter()
        summary = await import_file(
            make_sessionmaker(engine), path, "jsonl", clock, progress
        )
        return time.perf_counter() - started, summary
    finally:
        await engine.dispose()


# Run by --before in a subprocess whose sys.path starts with the other tree.
_BEFORE = """
import asyncio, json, sys, time
from datetime import UTC, datetime
from pathlib import Path
from hub.clock import FrozenClock
from hub.db import create_engine, make_sessionmaker, migrate
from hub.importer.service import import_file

async def main(url, path):
    migrate(url)
    engine = create_engine(url)
    clock = FrozenClock(datetime(2026, 11, 23, 9, tzinfo=UTC))
    started = time.perf_counter()
    summary = await import_file(make_sessionmaker(engine), Path(path), "jsonl", clock)
    secs = time.perf_counter() - started
    await engine.dispose()
    print(json.dumps({"seconds": secs, "summary": summary.as_json()}))

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


def run_before(tree: Path, url: str, path: Path) -> tuple[float, dict[str, int]]:
    """Seconds the importer in ``tree`` takes on ``path`` (and its summary)."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run(
        [sys.executable, "-c", _BEFORE, url, str(path)],
        cwd=tree,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    return float(result["seconds"]), result["summary"]


def _dsn(url: str, database: str | None = None) -> str:
    u = make_url(url).set(drivername="postgresql")
    if database is not None:
        u = u.set(database=database)
    return u.render_as_string(hide_password=False)


def _copy_tuple(row: dict) -> tuple:
    def day(key: str) -> date | None:
        value = row.get(key)
        return date.fromisoformat(value) if value else None

    return (
        row["uscc"],
        row["source"],
        row["source_id"],
        row["category"],
        row["kind"],
        row["severity"],
        "ACTIVE",
        row["title"],
        row.get("authority"),
        day("occurred_on"),
        day("decided_on"),
        day("publish_from"),
        day("publish_until"),
        json.dumps(row.get("details"), ensure_ascii=False),
    )


async def run_copy(dsn: str, path: Path) -> float:
    """Seconds PostgreSQL spends on COPY of the record rows (parsing excluded)."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            "CREATE TABLE copy_records (id bigserial PRIMARY KEY, uscc varchar(18),"
            " source varchar(64), source_id varchar(128), category varchar(32),"
            " kind varchar(64), severity varchar(16), status varchar(16),"
            " title varchar(500), authority varchar(200), occurred_on date,"
            " decided_on date, publish_from date, publish_until date, details json)"
        )
        spent = 0.0
        chunk: list[tuple] = []

        async def flush() -> float:
            started = time.perf_counter()
            await conn.copy_records_to_table(
                "copy_records", records=chunk, columns=COPY_COLUMNS
            )
            return time.perf_counter() - started

        with path.open(encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                if row["type"] != "record":
                    continue
                chunk.append(_copy_tuple(row))
                if len(chunk) >= COPY_CHUNK:
                    spent += await flush()
                    chunk = []
        if chunk:
            spent += await flush()
        return spent
    finally:
        await conn.close()


async def with_scratch_db(pg_url: str, work, tag: str = ""):  # type: ignore[no-untyped-def]
    name = f"import_bench_{os.getpid()}{tag}"
    admin = await asyncpg.connect(_dsn(pg_url))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            return await work(
                make_url(pg_url)
                .set(database=name)
                .render_as_string(hide_password=False)
            )
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def line(label: str, rows: int, seconds: float) -> str:
    rate = rows / seconds
    return f"{label:<28} {rows:>10,} rows {seconds:>9.1f} s {rate:>10,.0f} rows/s"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--file", type=Path, help="reuse or create this JSONL file")
    parser.add_argument(
        "--pg-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/test"
    )
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument(
        "--before",
        type=Path,
        help="also time the importer of this checkout (PostgreSQL only)",
    )
    parser.add_argument(
        "--progress",
        type=float,
        metavar="SECONDS",
        help="print the PostgreSQL importer's progress this often",
    )
    args = parser.parse_args()

    path = args.file or Path(tempfile.gettempdir()) / (
        f"xinyi-import-{args.records}-{args.seed}.jsonl"
    )
    if path.exists():
        rows, recs = count_file(path)
        print(f"reusing {path}: {rows:,} rows, {recs:,} records")
    else:
        started = time.perf_counter()
        rows, recs = make_file(path, args.records, args.seed)
        print(
            f"generated {path}: {rows:,} rows, {recs:,} records "
            f"in {time.perf_counter() - started:.1f} s"
        )

    results: dict[str, float] = {}
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            secs, summary = await run_importer(
                f"sqlite+aiosqlite:///{tmp}/bench.db", path
            )
        print(line("importer, SQLite", rows, secs), summary.as_json())
        results["sqlite"] = secs
    if not args.skip_pg:

        async def pg(url: str) -> tuple[float, ImportSummary, float]:
            secs, summary = await run_importer(url, path, args.progress)
            copy_secs = await run_copy(_dsn(url), path)
            return secs, summary, copy_secs

        print(f"load average before PostgreSQL runs: {os.getloadavg()}")
        before: tuple[float, dict[str, int]] | None = None
        if args.before is not None:

            async def old(url: str) -> tuple[float, dict[str, int]]:
                return await asyncio.to_thread(run_before, args.before, url, path)

            before = await with_scratch_db(args.pg_url, old, "_before")
            print(line("importer before, PostgreSQL", rows, before[0]), before[1])
            print(f"load average: {os.getloadavg()}")
        secs, summary, copy_secs = await with_scratch_db(args.pg_url, pg)
        print(line("importer, PostgreSQL", rows, secs), summary.as_json())
        print(line("COPY records, PostgreSQL", recs, copy_secs))
        print(f"load average: {os.getloadavg()}")
        results["pg"] = secs
        importer_rate, copy_rate = rows / secs, recs / copy_secs
        print(f"importer-on-PG / COPY (rows/s):    {importer_rate / copy_rate:.3f}")
        print(f"importer-on-PG / COPY (records/s): {recs / secs / copy_rate:.3f}")
        if before is not None:
            old_rate = rows / before[0]
            print(f"before / COPY (rows/s):            {old_rate / copy_rate:.3f}")
            print(f"importer now / before:             {importer_rate / old_rate:.2f}x")


if __name__ == "__main__":
    asyncio.run(main())
