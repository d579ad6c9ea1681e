"""Import throughput: the importer on SQLite and PostgreSQL against PostgreSQL COPY.

Generates (or reuses) a JSON Lines file holding ``--records`` credit records
plus their entities and list memberships, imports it into a fresh SQLite file
and a scratch PostgreSQL database, then COPYs the same record rows into a
plain table with asyncpg's ``copy_records_to_table`` and prints rows/second
and the ratio importer / COPY.

    .venv/bin/python bench/import_bench.py --records 1000000
    .venv/bin/python bench/import_bench.py --records 200000 --skip-sqlite
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
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


async def run_importer(url: str, path: Path) -> tuple[float, ImportSummary]:
    migrate(url)
    engine = create_engine(url)
    try:
        clock = FrozenClock(datetime(2026, 11, 23, 9, tzinfo=UTC))
        started = time.perf_counter()
        summary = await import_file(make_sessionmaker(engine), path, "jsonl", clock)
        return time.perf_counter() - started, summary
    finally:
        await engine.dispose()


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


async def with_scratch_db(pg_url: str, work):  # type: ignore[no-untyped-def]
    name = f"import_bench_{os.getpid()}"
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
            secs, summary = await run_importer(url, path)
            copy_secs = await run_copy(_dsn(url), path)
            return secs, summary, copy_secs

        secs, summary, copy_secs = await with_scratch_db(args.pg_url, pg)
        print(line("importer, PostgreSQL", rows, secs), summary.as_json())
        print(line("COPY records, PostgreSQL", recs, copy_secs))
        results["pg"] = secs
        importer_rate, copy_rate = rows / secs, recs / copy_secs
        print(f"importer-on-PG / COPY (rows/s):    {importer_rate / copy_rate:.3f}")
        print(f"importer-on-PG / COPY (records/s): {recs / secs / copy_rate:.3f}")


if __name__ == "__main__":
    asyncio.run(main())
