"""Profile-read latency with external sources healthy, sick, and cached.

Starts the sandbox agencies as a real server (a subprocess on loopback),
builds a hub on a fresh database, seeds N enterprises with LENDING consents
to a bank, then reads every enterprise's ``creditProfile`` through the GraphQL app
(token check, consent, door, on-demand pulls of the consented sources,
audit, commit) with C concurrent readers, in four phases:

1. healthy, cold cache (every read pulls all four sources)
2. healthy, warm cache (reads served from cache)
3. sick, cold: court answers after 2 s (timeout 1 s), utilities fail 50 %
4. sick, warm

    .venv/bin/python bench/connector_bench.py [--entities 200] [--concurrency 20]
        [--database-url postgresql+asyncpg://...] [--timeout 1.0]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from connectors.registry import load_connectors  # noqa: E402
from hub.auth.clients import client_service  # noqa: E402
from hub.auth.principal import SYSTEM, Principal  # noqa: E402
from hub.auth.scopes import allowed_scopes  # noqa: E402
from hub.auth.tokens import issue_access_token  # noqa: E402
from hub.backends import MemoryCache  # noqa: E402
from hub.consent.service import GrantRequest  # noqa: E402
from hub.consent.service import grant as grant_consent  # noqa: E402
from hub.db import session_scope  # noqa: E402
from hub.enums import DataCategory, EntityKind, PrincipalKind, Purpose  # noqa: E402
from hub.models import Entity  # noqa: E402
from hub.root.app import create_app  # noqa: E402
from hub.root.build import build_hub  # noqa: E402
from hub.settings import ConnectorSettings, Settings  # noqa: E402
from hub.uscc import make_uscc  # noqa: E402

SOURCES = ("henan-tax", "court-dishonest", "market-regulation", "utilities")
CATEGORIES = (
    DataCategory.BASIC,
    DataCategory.TAX,
    DataCategory.JUDICIAL,
    DataCategory.LICENSING,
    DataCategory.PENALTY,
    DataCategory.UTILITIES,
)


PROFILE = (
    "query($u: USCC!) { creditProfile(uscc: $u, purpose: LENDING) { auditEventId "
    "records(first: 20) { totalCount } sources { source asOf stale error } } }"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_sandbox(port: int) -> subprocess.Popen[bytes]:
    code = (
        "import uvicorn; from connectors.sandbox import create_app; "
        f"uvicorn.run(create_app(), host='127.0.0.1', port={port}, "
        "log_level='warning')"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[1]
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("sandbox did not start")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entities", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=20)
    ap.add_argument("--timeout", type=float, default=1.0)
    ap.add_argument("--database-url", default=None)
    args = ap.parse_args()

    port = free_port()
    sandbox = start_sandbox(port)
    base = f"http://127.0.0.1:{port}"
    tmp = tempfile.mkdtemp(prefix="connector-bench-")
    url = args.database_url or f"sqlite+aiosqlite:///{tmp}/bench.db"
    conf = ConnectorSettings.model_validate(
        {"base_url": base, "timeout": args.timeout, "retries": 1}
    )
    settings = Settings(
        database_url=url,
        env="test",
        connectors={name: conf for name in SOURCES},
    )
    hub = await build_hub(settings)
    hub.connectors = load_connectors(settings)
    try:
        rng = random.Random(2026)
        usccs = sorted({make_uscc(rng) for _ in range(args.entities)})
        now = hub.clock.now()
        async with session_scope(hub.sessionmaker) as s:
            creds = await client_service.create(
                s,
                actor=SYSTEM,
                clock=hub.clock,
                kind=PrincipalKind.BANK,
                name="郑州银行",
            )
            for u in usccs:
                s.add(
                    Entity(
                        uscc=u,
                        name="郑州恒达食品有限公司",
                        kind=EntityKind.ENTERPRISE,
                        region_code="410100",
                        status="存续",
                        data_version=1,
                        created_at=now,
                        updated_at=now,
                    )
                )
        bank = Principal(id=creds.client.id, kind=PrincipalKind.BANK, name="郑州银行")
        async with session_scope(hub.sessionmaker) as s:
            for u in usccs:
                subject = Principal(id=u, kind=PrincipalKind.SUBJECT, name=u, uscc=u)
                await grant_consent(
                    s,
                    hub,
                    subject,
                    GrantRequest(
                        subject=u,
                        grantee_id=bank.id,
                        purpose=Purpose.LENDING,
                        categories=CATEGORIES,
                        expires_at=now + timedelta(days=90),
                    ),
                )

        errors: collections.Counter[str] = collections.Counter()

        token, _ = issue_access_token(
            hub.keys,
            hub.settings,
            hub.clock,
            sub=bank.id,
            kind=PrincipalKind.BANK,
            scope=allowed_scopes(PrincipalKind.BANK),
            ttl=3600,
        )
        api = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app(settings, hub=hub)),
            base_url="http://hub",
            headers={"authorization": f"Bearer {token}"},
            timeout=30,
        )

        async def read(uscc: str) -> float:
            # The whole profile read: GraphQL, token, consent, door, on-demand
            # pulls, audit, commit.
            started = time.perf_counter()
            r = await api.post(
                "/graphql", json={"query": PROFILE, "variables": {"u": uscc}}
            )
            took = time.perf_counter() - started
            body = r.json()
            if body.get("errors"):
                raise SystemExit(f"profile read failed: {body['errors']}")
            for status in body["data"]["creditProfile"]["sources"]:
                if status["error"]:
                    errors[f"{status['source']}:{status['error'].split(':')[0]}"] += 1
            return took

        async def phase(name: str) -> None:
            gate = asyncio.Semaphore(args.concurrency)

            async def one(u: str) -> float:
                async with gate:
                    return await read(u)

            errors.clear()
            t0 = time.perf_counter()
            took = await asyncio.gather(*(one(u) for u in usccs))
            wall = time.perf_counter() - t0
            stats = httpx.get(f"{base}/_stats").json()
            httpx.delete(f"{base}/_stats")
            print(
                f"{name:<34} p50 {statistics.median(took) * 1000:7.1f} ms   "
                f"p99 {pct(took, 99) * 1000:7.1f} ms   "
                f"{len(took) / wall:6.1f} reads/s"
            )
            print(f"{'':<34} source requests {stats}")
            print(f"{'':<34} stale sources served {dict(sorted(errors.items()))}")

        print(
            f"{len(usccs)} enterprises, {args.concurrency} concurrent readers, "
            f"{url.split(':')[0]}, source timeout {args.timeout:g} s"
        )
        await phase("healthy, cold cache")
        await phase("healthy, warm cache")
        hub.cache = MemoryCache()
        for c in hub.connectors:
            c.breaker.success()
        httpx.post(f"{base}/_faults", json={"source": "court", "latency": 2.0})
        httpx.post(
            f"{base}/_faults",
            json={"source": "utility", "error_rate": 0.5, "status": 503},
        )
        await phase("sick (2 s court, 50 % utility), cold")
        await phase("sick, warm cache")
        await api.aclose()
    finally:
        await hub.connectors.aclose()
        await hub.aclose()
        sandbox.terminate()
        sandbox.wait(10)


if __name__ == "__main__":
    asyncio.run(main())
