"""Consented, audited ``creditProfile`` vs a bare Starlette endpoint, side by side.

    .venv/bin/python bench/profile_bench.py [--entities 100000] [--duration 10]
        [--rounds 3] [--keep] [--reuse]

Seeds a PostgreSQL database (``--db-name``, default ``bench_perf``; dropped
at the end unless ``--keep``; ``--reuse`` loads a kept one) with synthetic
enterprises and ``--records-per-entity`` records each (default 100,000 and
20: 2M records, by COPY and one INSERT … SELECT), every record shared (ACTIVE,
inside its publication window), and gives a bank LENDING consents over all of
them (without a read limit, so the load never uses them up — every read
still counts its use at the door).  So every record the bare handler returns
is one the hub may show: for 200 enterprises the bench checks that both
return the same record ids in the same order before it measures.

Then loads each server in turn with wrk (32 connections, 2 workers each),
in interleaved rounds:

* hub:  POST /graphql creditProfile(uscc, LENDING) — token check, consent
        check and use count, the audit row, the entity and its 20 latest
        TAX/PENALTY records;
* bare: GET /profile/{uscc} — the same two SELECTs, JSON out, nothing else;
* hub eligibility(credit-loan) (a decision per request, audited);
* hub creditProfiles of 100 codes (4 connections).

Prints requests/s, p50, p99 and server CPU per request (user + system time
of the server's processes, read from /proc before and after each round) as
ranges over the rounds, and the ratios hub / bare per round; then the
statements PostgreSQL is asked for per call of each load, and for sealing
its audit events (``bench/wire.py``, counted on the wire), and the importer
against a bare COPY of the same rows (``bench/import_bench.py`` on a file of
``--import-records`` records in a scratch database; 0 skips it).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERY = (
    "query($u: USCC!) { creditProfile(uscc: $u, purpose: LENDING) { auditEventId "
    "entity { uscc name kind regionCode status } "
    "records(categories: [TAX, PENALTY], first: 20) { edges { node { id category "
    "kind severity status title decidedOn } } } } }"
)
BATCH = (
    "query($u: [USCC!]!) { creditProfiles(usccs: $u, purpose: LENDING) { "
    "... on CreditProfile { auditEventId entity { uscc name kind regionCode "
    "status } records(categories: [TAX, PENALTY], first: 20) { edges { node "
    "{ id category kind severity status title decidedOn } } } } "
    "... on ProfileError { code } } }"
)
ELIGIBILITY = (
    'query($u: USCC!) { eligibility(scenario: "credit-loan", uscc: $u) { id outcome '
    "benefits { code value } reasons { ruleId } ruleVersion } }"
)


def graphql_lua(path: Path, usccs: str, token: str, query: str) -> Path:
    path.write_text(
        f'local u = {{{usccs}}}\nlocal i = 0\nwrk.method = "POST"\n'
        f'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Authorization"] = "Bearer {token}"\n'
        "request = function()\n  i = i % #u + 1\n"
        f"  local q = {json.dumps(query)}\n"
        '  return wrk.format(nil, "/graphql", nil, '
        "'{\"query\":\"' .. q:gsub('\"', '\\\\\"') .. "  # noqa: E501
        '\'","variables":{"u":"\' .. u[i] .. \'"}}\')\n'
        "end\n"
    )
    return path


CATEGORIES = ["BASIC", "TAX", "PENALTY", "JUDICIAL", "EVALUATION"]
# Every record is shared (ACTIVE, inside its publication window, a decision
# day), so every record the bare handler returns is one the hub may show,
# in the same order (newest decision first, then id).
_RECORDS = """
INSERT INTO credit_records (uscc, source, source_id, category, kind, severity,
    status, title, authority, occurred_on, decided_on, publish_from,
    publish_until, details, created_at, updated_at)
SELECT e.uscc, 'bench', e.uscc || '-' || g,
    CASE WHEN g <= 5 + (abs(hashtext(e.uscc)::bigint) % 6)
         THEN (CASE WHEN g % 2 = 0 THEN 'TAX' ELSE 'PENALTY' END)
         ELSE (CASE WHEN g % 2 = 0 THEN 'JUDICIAL' ELSE 'LICENSING' END) END,
    'bench-kind-' || (g % 7), (ARRAY['NONE','MINOR','ORDINARY','SERIOUS'])[1 + g % 4],
    'ACTIVE', '行政处罚决定书 第' || g || '号 ' || repeat('x', 200 + g % 100),
    '某市市场监督管理局',
    DATE '2020-01-01' + ((abs(hashtext(e.uscc)::bigint) + g * 37) % 2000)::int,
    DATE '2020-01-02' + ((abs(hashtext(e.uscc)::bigint) + g * 37) % 2000)::int,
    DATE '2020-01-01', NULL, NULL, now(), now()
FROM entities e CROSS JOIN generate_series(1, $1::int) AS g
"""


async def prepare(url: str, entities: int, per_entity: int) -> tuple[list[str], str]:
    """Seed ``entities`` enterprises with ``per_entity`` records each; return
    the codes and a bank token with a LENDING consent from every one."""
    import random

    from hub.auth.clients import client_service
    from hub.auth.keys import load_keyring
    from hub.auth.principal import SYSTEM
    from hub.auth.scopes import allowed_scopes
    from hub.auth.tokens import issue_access_token
    from hub.clock import SystemClock
    from hub.db import create_engine, make_sessionmaker, migrate, session_scope
    from hub.enums import PrincipalKind
    from hub.settings import Settings
    from hub.uscc import make_uscc

    migrate(url)
    settings = Settings(database_url=url)
    clock = SystemClock()
    engine = create_engine(url)
    maker = make_sessionmaker(engine)
    async with session_scope(maker) as s:
        bank = await client_service.create(
            s, actor=SYSTEM, clock=clock, kind=PrincipalKind.BANK, name="bench bank"
        )
    keyring = await load_keyring(maker, settings, clock)
    token, _ = issue_access_token(
        keyring,
        settings,
        clock,
        sub=bank.client.id,
        kind=PrincipalKind.BANK,
        scope=allowed_scopes(PrincipalKind.BANK),
        ttl=86400,
    )
    await engine.dispose()
    rng = random.Random(2026)
    codes: set[str] = set()
    while len(codes) < entities:
        codes.add(make_uscc(rng, "410100"))
    usccs = sorted(codes)
    now = datetime.now(UTC)
    conn = await asyncpg.connect(url.replace("+asyncpg", ""))
    started = time.perf_counter()
    await conn.copy_records_to_table(
        "entities",
        columns=[
            "uscc",
            "name",
            "kind",
            "region_code",
            "status",
            "data_version",
            "created_at",
            "updated_at",
        ],
        records=[
            (
                u,
                f"开封市测试企业{i}有限公司",
                "ENTERPRISE",
                "410100",
                "存续",
                1,
                now,
                now,
            )
            for i, u in enumerate(usccs)
        ],
    )
    await conn.execute(_RECORDS, per_entity)
    await conn.copy_records_to_table(
        "consents",
        columns=[
            "id",
            "subject",
            "grantee_id",
            "purpose",
            "categories",
            "granted_at",
            "expires_at",
            "granted_by",
            "receipt",
        ],
        records=[
            (
                uuid.uuid4().hex,
                u,
                bank.client.id,
                "LENDING",
                json.dumps(CATEGORIES),
                now,
                now + timedelta(days=30),
                u,
                "bench",
            )
            for u in usccs
        ],
    )
    await conn.execute("VACUUM ANALYZE")
    records = await conn.fetchval("SELECT count(*) FROM credit_records")
    await conn.close()
    print(
        f"seeded {entities} enterprises, {records} records in "
        f"{time.perf_counter() - started:.1f}s",
        file=sys.stderr,
    )
    return usccs, token


def verify_equal(token: str, usccs: list[str]) -> float:
    """Same record ids in the same order from hub and bare; mean records."""
    seen = 0
    with httpx.Client(timeout=30) as client:
        for u in usccs:
            hub = client.post(
                "http://127.0.0.1:8801/graphql",
                json={"query": QUERY, "variables": {"u": u}},
                headers={"authorization": f"Bearer {token}"},
            ).json()
            if hub.get("errors"):
                sys.exit(f"the hub answers {u} with errors: {hub['errors']}")
            edges = hub["data"]["creditProfile"]["records"]["edges"]
            got = [int(e["node"]["id"]) for e in edges]
            bare = client.get(f"http://127.0.0.1:8802/profile/{u}").json()
            want = [r["id"] for r in bare["records"]]
            if got != want or hub["data"]["creditProfile"]["entity"]["uscc"] != u:
                sys.exit(f"hub and bare differ for {u}: {got} vs {want}")
            seen += len(got)
    return seen / len(usccs)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a server: the uvicorn parent and its workers."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(k) for k in kids]
    except OSError:
        pass
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def start(
    cmd: list[str], env: dict[str, str], port: int, cwd: Path = ROOT
) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        cmd,
        env={**os.environ, **env},
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if (
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code
                < 500
            ):
                return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"server on {port} did not start: {' '.join(cmd)}")


def wrk(
    url: str, script: str, duration: int, connections: int, pid: int | None = None
) -> dict[str, float]:
    cpu0 = cpu_seconds(pid) if pid else 0.0
    out = subprocess.run(
        [
            "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            "-s",
            script,
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    cpu = cpu_seconds(pid) - cpu0 if pid else float("nan")

    def ms(label: str) -> float:
        m = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out)
        if not m:
            return float("nan")
        v, unit = float(m.group(1)), m.group(2)
        return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    count = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p50": ms("50"),
        "p99": ms("99"),
        "cpu_ms": 1000 * cpu / max(count, 1),
        "non2xx": float(errors.group(1)) if errors else 0.0,
    }


def server(
    module: str, port: int, workers: int, env: dict[str, str], cwd: Path = ROOT
) -> Any:
    cmd = [sys.executable, "-m", "uvicorn", module]
    if module.endswith("create_app"):
        cmd.append("--factory")
    cmd += [
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    return start(cmd, env, port, cwd)


def database_arguments(
    ap: argparse.ArgumentParser, *, db_name: str, entities: int
) -> None:
    """The options every bench on a seeded database takes."""
    ap.add_argument(
        "--pg-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    ap.add_argument("--db-name", default=db_name)
    ap.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    ap.add_argument("--entities", type=int, default=entities)
    ap.add_argument("--records-per-entity", type=int, default=20)
    ap.add_argument("--keep", action="store_true", help="keep the database")
    ap.add_argument("--reuse", action="store_true", help="use a kept database")


def bench_database(args: argparse.Namespace) -> tuple[str, str]:
    """``(admin DSN, hub URL)`` of ``--db-name``.  Production refuses to start
    without a key-encryption key: the bench's is derived from the database
    name (set in this process's environment), so ``--reuse`` opens what it
    sealed."""
    os.environ["HUB_KEY_ENCRYPTION_KEY"] = (
        base64.urlsafe_b64encode(
            hashlib.sha256(f"bench {args.db_name}".encode()).digest()
        )
        .rstrip(b"=")
        .decode()
    )
    admin = args.pg_url.replace("+asyncpg", "")
    return admin, args.pg_url.rsplit("/", 1)[0] + "/" + args.db_name


def hub_env(url: str, redis_url: str) -> dict[str, str]:
    """A production hub on ``url`` that never rate-limits the load, with the
    bare app's pool: 20 connections per worker, requests wait for one (an
    overflow connection is opened and closed per use)."""
    return {
        "HUB_DATABASE_URL": url,
        "HUB_REDIS_URL": redis_url,
        "HUB_ENV": "production",
        "HUB_RATE_LIMIT_PER_MINUTE": "100000000",
        "HUB_DB_POOL_SIZE": "20",
        "HUB_DB_MAX_OVERFLOW": "0",
    }


def seeded(args: argparse.Namespace, admin: str, url: str) -> tuple[list[str], str]:
    """The codes and a bank token: from the kept database (``--reuse``), or
    from ``--db-name`` made afresh and seeded."""
    if args.reuse:
        return asyncio.run(_reuse(url))
    name = args.db_name
    asyncio.run(_exec(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    asyncio.run(_exec(admin, f'CREATE DATABASE "{name}"'))
    print(f"seeding {args.entities} enterprises into {name} …", file=sys.stderr)
    return asyncio.run(prepare(url, args.entities, args.records_per_entity))


def drop_unless_kept(args: argparse.Namespace, admin: str) -> None:
    if not args.keep:
        asyncio.run(
            _exec(admin, f'DROP DATABASE IF EXISTS "{args.db_name}" WITH (FORCE)')
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    database_arguments(ap, db_name="bench_perf", entities=100_000)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument(
        "--import-records",
        type=int,
        default=50_000,
        help="also time the importer against COPY on a file of this many "
        "records (bench/import_bench.py, a scratch database); 0 skips it",
    )
    ap.add_argument(
        "--before",
        type=Path,
        help="a checkout of an earlier hub (e.g. git archive … | tar -x): "
        "loaded too, interleaved, as 'hub before'",
    )
    args = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed (apt-get install wrk)")

    admin, url = bench_database(args)
    tmp = Path(tempfile.mkdtemp(prefix="hub-bench-"))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        usccs, token = seeded(args, admin, url)
        (tmp / "token").write_text(token)
        sample = usccs[:: max(1, len(usccs) // 2000)]
        lua_list = ",".join(f'"{u}"' for u in sample)
        batch = sample[:100]
        hub_lua = graphql_lua(tmp / "hub.lua", lua_list, token, QUERY)
        elig_lua = graphql_lua(tmp / "elig.lua", lua_list, token, ELIGIBILITY)
        batch_lua = tmp / "batch.lua"
        batch_body = json.dumps({"query": BATCH, "variables": {"u": batch}})
        batch_lua.write_text(
            'wrk.method = "POST"\nwrk.path = "/graphql"\n'
            'wrk.headers["Content-Type"] = "application/json"\n'
            f'wrk.headers["Authorization"] = "Bearer {token}"\n'
            f"wrk.body = {json.dumps(batch_body)}\n"
        )
        bare_lua = tmp / "bare.lua"
        bare_lua.write_text(
            f"local u = {{{lua_list}}}\nlocal i = 0\n"
            "request = function()\n  i = i % #u + 1\n"
            '  return wrk.format("GET", "/profile/" .. u[i])\nend\n'
        )
        env = hub_env(url, args.redis_url)
        bare_env = {"BARE_DSN": url.replace("+asyncpg", "")}
        hub = server("hub.root.app:create_app", 8801, args.workers, env)
        bare = server("bench.bare_app:app", 8802, args.workers, bare_env)
        procs += [hub, bare]
        for query, variables in (
            (ELIGIBILITY, {"u": sample[0]}),
            (BATCH, {"u": batch}),
        ):
            body = httpx.post(
                "http://127.0.0.1:8801/graphql",
                json={"query": query, "variables": variables},
                headers={"authorization": f"Bearer {token}"},
                timeout=60,
            ).json()
            if body.get("errors"):
                sys.exit(f"the hub answers with errors: {body['errors']}")
        mean = verify_equal(token, sample[:200])
        print(
            f"verified: hub and bare return the same record ids, in order, for "
            f"200 enterprises ({mean:.2f} records each)",
            file=sys.stderr,
        )
        for p in procs:
            p.terminate()
            p.wait(10)
        procs.clear()
        wire = count_statements(tmp, token, usccs, env)
        # One server runs at a time (their pools together would pass the
        # server's max_connections), each started afresh every round and
        # warmed up; rounds interleave the servers so drift hits all alike.
        hub_loads = [
            ("hub creditProfile", hub_lua, args.connections),
            ("hub eligibility", elig_lua, args.connections),
            ("hub batch of 100", batch_lua, 4),
        ]
        servers: list[tuple[str, dict[str, str], Path, list[Any]]] = [
            ("hub.root.app:create_app", env, ROOT, hub_loads),
            (
                "bench.bare_app:app",
                bare_env,
                ROOT,
                [("bare Starlette", bare_lua, args.connections)],
            ),
        ]
        if args.before:
            servers.insert(
                0,
                (
                    "hub.root.app:create_app",
                    env,
                    args.before,
                    [
                        ("hub before", hub_lua, args.connections),
                        ("hub eligibility, before", elig_lua, args.connections),
                    ],
                ),
            )
        runs: dict[str, list[dict[str, float]]] = {}
        for _round in range(args.rounds):
            for module, server_env, cwd, loads in servers:
                proc = server(module, 8801, args.workers, server_env, cwd)
                procs.append(proc)
                try:
                    for _label, script, conns in loads:
                        wrk("http://127.0.0.1:8801", str(script), 3, conns)
                    for label, script, conns in loads:
                        r = wrk(
                            "http://127.0.0.1:8801",
                            str(script),
                            args.duration,
                            conns,
                            proc.pid,
                        )
                        runs.setdefault(label, []).append(r)
                        print(
                            f"  {label}: {r['rps']:.0f} req/s, "
                            f"cpu {r['cpu_ms']:.2f} ms, non-2xx {r['non2xx']:.0f}",
                            file=sys.stderr,
                        )
                finally:
                    proc.terminate()
                    proc.wait(10)
                    procs.remove(proc)
        print(
            f"\n{len(usccs)} enterprises, {len(usccs) * args.records_per_entity}"
            f" records, {mean:.2f} records per answer, {args.connections} "
            f"connections, {args.workers} workers each, {args.rounds} interleaved "
            f"rounds × {args.duration}s (PostgreSQL); ranges over rounds"
        )
        print(
            f"{'server':<20}{'req/s':>14}{'p50 ms':>14}{'p99 ms':>14}"
            f"{'CPU ms/req':>14}{'non-2xx':>9}"
        )

        def span(rs: list[dict[str, float]], k: str, fmt: str) -> str:
            lo, hi = min(r[k] for r in rs), max(r[k] for r in rs)
            return f"{lo:{fmt}}–{hi:{fmt}}"

        for label, rs in runs.items():
            print(
                f"{label:<20}{span(rs, 'rps', '.0f'):>14}{span(rs, 'p50', '.1f'):>14}"
                f"{span(rs, 'p99', '.1f'):>14}{span(rs, 'cpu_ms', '.2f'):>14}"
                f"{sum(r['non2xx'] for r in rs):>9.0f}"
            )
        ratios = [
            h["rps"] / b["rps"]
            for h, b in zip(
                runs["hub creditProfile"], runs["bare Starlette"], strict=True
            )
        ]
        cpu = [
            h["cpu_ms"] / b["cpu_ms"]
            for h, b in zip(
                runs["hub creditProfile"], runs["bare Starlette"], strict=True
            )
        ]
        print(
            f"hub / bare throughput per round: {', '.join(f'{r:.2f}' for r in ratios)}"
        )
        print(
            f"hub / bare CPU per request per round: "
            f"{', '.join(f'{r:.1f}' for r in cpu)}"
        )
        b = runs["hub batch of 100"]
        print(
            f"batch of 100: {span(b, 'rps', '.1f')} calls/s = "
            f"{min(r['rps'] for r in b) * 100:.0f}–{max(r['rps'] for r in b) * 100:.0f}"
            f" profiles/s, {span(b, 'cpu_ms', '.0f')} ms CPU per call"
        )
        if args.import_records:
            print(
                f"\nimport vs COPY, {args.import_records:,} records "
                "(bench/import_bench.py):"
            )
            print(import_vs_copy(args.pg_url, args.import_records))
        print("\nstatements PostgreSQL is asked for, per call (bench/wire.py):")
        print(f"{'call':<24}{'answering':>10}{'sealing':>9}  statements")
        for label, c in wire.items():
            kinds = ", ".join(
                f"{k.split()[0]} ×{v:g}" for k, v in c["statements"].items()
            )
            print(
                f"{label:<24}{c['per_call']:>10.1f}{c['sealing_per_call']:>9.1f}"
                f"  {kinds}"
            )
    finally:
        for p in procs:
            p.terminate()
            p.wait(10)
        drop_unless_kept(args, admin)
        shutil.rmtree(tmp, ignore_errors=True)


def import_vs_copy(pg_url: str, records: int) -> str:
    """The importer's and COPY's rows/s on one file, as import_bench prints them."""
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "import_bench.py"),
            "--records",
            str(records),
            "--skip-sqlite",
            "--pg-url",
            pg_url.rsplit("/", 1)[0] + "/postgres",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        sys.exit(f"the import bench failed:\n{proc.stderr[-3000:]}")
    keep = ("importer", "COPY")
    return "\n".join(line for line in proc.stdout.splitlines() if line.startswith(keep))


def count_statements(
    tmp: Path, token: str, usccs: list[str], env: dict[str, str]
) -> dict[str, Any]:
    """Statements per call of each load, counted on the wire (bench/wire.py)."""
    (tmp / "wire-token").write_text(token)
    (tmp / "wire-usccs.json").write_text(json.dumps(usccs[::7][:1200]))
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "wire.py"),
            "--token-file",
            str(tmp / "wire-token"),
            "--usccs-file",
            str(tmp / "wire-usccs.json"),
        ],
        env={**os.environ, **env, "HUB_LOG_LEVEL": "WARNING"},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        sys.exit(f"counting statements failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


async def _reuse(url: str) -> tuple[list[str], str]:
    """Codes and a fresh bank token from a database kept by ``--keep``."""
    from hub.auth.keys import load_keyring
    from hub.auth.scopes import allowed_scopes
    from hub.auth.tokens import issue_access_token
    from hub.clock import SystemClock
    from hub.db import create_engine, make_sessionmaker
    from hub.enums import PrincipalKind
    from hub.settings import Settings

    conn = await asyncpg.connect(url.replace("+asyncpg", ""))
    usccs = [r[0] for r in await conn.fetch("SELECT uscc FROM entities ORDER BY uscc")]
    bank = await conn.fetchval("SELECT id FROM clients WHERE name = 'bench bank'")
    await conn.close()
    settings, clock = Settings(database_url=url), SystemClock()
    engine = create_engine(url)
    keyring = await load_keyring(make_sessionmaker(engine), settings, clock)
    await engine.dispose()
    token, _ = issue_access_token(
        keyring,
        settings,
        clock,
        sub=bank,
        kind=PrincipalKind.BANK,
        scope=allowed_scopes(PrincipalKind.BANK),
        ttl=86400,
    )
    return usccs, token


async def _exec(dsn: str, sql: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


if __name__ == "__main__":
    main()
