"""Consented, audited ``creditProfile`` vs a bare Starlette endpoint, side by side.

    .venv/bin/python bench/profile_bench.py [--entities 5000] [--duration 15]

Seeds a scratch PostgreSQL database with synthetic enterprises, gives a bank
LENDING consents over all of them (written directly, without a read limit, so
the load never uses them up — every read still counts its use at the door),
then loads each server in turn with wrk
(a second process on loopback; 32 connections, 2 workers each):

* hub:  POST /graphql creditProfile(uscc, LENDING) — token check, consent
        check, minimised reads of the entity and its 20 latest TAX/PENALTY
        records, audit event sealed into the hash chain before the response;
* bare: GET /profile/{uscc} — the same SELECTs, JSON out, nothing else.

Also loads ``eligibility(credit-loan)`` (a decision per request, audited).

Prints requests/s, p50, p99 and the ratio hub / bare.
"""

from __future__ import annotations

import argparse
import asyncio
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


async def prepare(url: str, entities: int) -> tuple[list[str], str]:
    from hub.auth.clients import client_service
    from hub.auth.keys import load_keyring
    from hub.auth.principal import SYSTEM
    from hub.auth.scopes import allowed_scopes
    from hub.auth.tokens import issue_access_token
    from hub.clock import SystemClock
    from hub.db import create_engine, make_sessionmaker, migrate, session_scope
    from hub.demo.generator import seed_demo
    from hub.enums import PrincipalKind
    from hub.settings import Settings

    migrate(url)
    settings = Settings(database_url=url)
    clock = SystemClock()
    engine = create_engine(url)
    maker = make_sessionmaker(engine)
    await seed_demo(maker, entities, 2026, clock)
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
    conn = await asyncpg.connect(url.replace("+asyncpg", ""))
    usccs = [r[0] for r in await conn.fetch("SELECT uscc FROM entities ORDER BY uscc")]
    now = datetime.now(UTC)
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
                json.dumps(["BASIC", "TAX", "PENALTY", "JUDICIAL", "EVALUATION"]),
                now,
                now + timedelta(days=30),
                u,
                "bench",
            )
            for u in usccs
        ],
    )
    await conn.execute("ANALYZE")
    await conn.close()
    return usccs, token


def start(cmd: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        cmd,
        env={**os.environ, **env},
        cwd=ROOT,
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


def wrk(url: str, script: str, duration: int, connections: int) -> dict[str, float]:
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

    def ms(label: str) -> float:
        m = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out)
        if not m:
            return float("nan")
        v, unit = float(m.group(1)), m.group(2)
        return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p50": ms("50"),
        "p99": ms("99"),
        "non2xx": float(errors.group(1)) if errors else 0.0,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--pg-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/test"
    )
    ap.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    ap.add_argument("--entities", type=int, default=5000)
    ap.add_argument("--duration", type=int, default=15)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed (apt-get install wrk)")

    name = f"hub_bench_{uuid.uuid4().hex[:8]}"
    admin = args.pg_url.replace("+asyncpg", "")
    asyncio.run(_exec(admin, f'CREATE DATABASE "{name}"'))
    url = args.pg_url.rsplit("/", 1)[0] + "/" + name
    tmp = Path(tempfile.mkdtemp(prefix="hub-bench-"))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        print(f"seeding {args.entities} enterprises into {name} …", file=sys.stderr)
        usccs, token = asyncio.run(prepare(url, args.entities))
        sample = usccs[:: max(1, len(usccs) // 500)]
        lua_list = ",".join(f'"{u}"' for u in sample)
        hub_lua = graphql_lua(tmp / "hub.lua", lua_list, token, QUERY)
        elig_lua = graphql_lua(tmp / "elig.lua", lua_list, token, ELIGIBILITY)
        bare_lua = tmp / "bare.lua"
        bare_lua.write_text(
            f"local u = {{{lua_list}}}\nlocal i = 0\n"
            "request = function()\n  i = i % #u + 1\n"
            '  return wrk.format("GET", "/profile/" .. u[i])\nend\n'
        )
        env = {
            "HUB_DATABASE_URL": url,
            "HUB_REDIS_URL": args.redis_url,
            "HUB_ENV": "production",
            "HUB_RATE_LIMIT_PER_MINUTE": "100000000",
        }
        py = sys.executable
        hub = start(
            [
                py,
                "-m",
                "uvicorn",
                "hub.root.app:create_app",
                "--factory",
                "--port",
                "8801",
                "--workers",
                str(args.workers),
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            env,
            8801,
        )
        procs.append(hub)
        bare_env = {"BARE_DSN": url.replace("+asyncpg", "")}
        bare = start(
            [
                py,
                "-m",
                "uvicorn",
                "bench.bare_app:app",
                "--port",
                "8802",
                "--workers",
                str(args.workers),
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            bare_env,
            8802,
        )
        procs.append(bare)
        for query in (QUERY, ELIGIBILITY):  # wrk counts HTTP 200s: check the body
            body = httpx.post(
                "http://127.0.0.1:8801/graphql",
                json={"query": query, "variables": {"u": sample[0]}},
                headers={"authorization": f"Bearer {token}"},
            ).json()
            if body.get("errors"):
                sys.exit(f"the hub answers with errors: {body['errors']}")
        # The bare app has no /healthz; start() accepted its 404.
        for _label, target, script in (
            ("warm-up", "http://127.0.0.1:8801", hub_lua),
            ("warm-up", "http://127.0.0.1:8802", bare_lua),
        ):
            wrk(target, str(script), 3, args.connections)
        results = {}
        for _round in range(2):  # interleaved so drift hits both alike
            for label, target, script in (
                ("hub creditProfile", "http://127.0.0.1:8801", hub_lua),
                ("bare Starlette", "http://127.0.0.1:8802", bare_lua),
                ("hub eligibility", "http://127.0.0.1:8801", elig_lua),
            ):
                r = wrk(target, str(script), args.duration, args.connections)
                best = results.get(label)
                if best is None or r["rps"] > best["rps"]:
                    results[label] = r
        print(
            f"\n{args.entities} enterprises, {args.connections} connections, "
            f"{args.workers} workers each, best of 2 × {args.duration}s (PostgreSQL)"
        )
        print(f"{'server':<20}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'non-2xx':>10}")
        for label, r in results.items():
            print(
                f"{label:<20}{r['rps']:>10.0f}{r['p50']:>10.1f}{r['p99']:>10.1f}"
                f"{r['non2xx']:>10.0f}"
            )
        ratio = results["hub creditProfile"]["rps"] / results["bare Starlette"]["rps"]
        print(f"hub / bare throughput: {ratio:.2f}")
    finally:
        for p in procs:
            p.terminate()
            p.wait(10)
        asyncio.run(_exec(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        shutil.rmtree(tmp, ignore_errors=True)


async def _exec(dsn: str, sql: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


if __name__ == "__main__":
    main()
