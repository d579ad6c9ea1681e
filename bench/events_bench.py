"""Events out, end to end: 10k negative records imported → 10k signed webhooks.

Builds a hub on a fresh database, registers E enterprises (default 1,000),
each under an ACTIVE MONITORING consent to one bank whose webhook points at a
local receiver (a separate process: uvicorn on loopback, answering 200 and
noting when each message arrived).  Then, with the hub's dispatcher running
as in a server (routing loop + bounded delivery pool), it imports N new
negative records (default 10,000, spread over the enterprises) through the
importer and waits until the receiver holds all N messages.

It prints events/s from the start of the import to the last receipt, and the
delivery latency (receipt − the event's commit time) at p50/p90/p99: with all
N records arriving at once, latency is mostly queueing behind the burst.

    .venv/bin/python bench/events_bench.py [--events 10000] [--entities 1000]
        [--workers 8] [--database-url postgresql+asyncpg://...]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select  # noqa: E402

from hub.auth.clients import client_service  # noqa: E402
from hub.auth.principal import SYSTEM, Principal  # noqa: E402
from hub.consent.service import GrantRequest  # noqa: E402
from hub.consent.service import grant as grant_consent  # noqa: E402
from hub.db import session_scope  # noqa: E402
from hub.enums import DataCategory, PrincipalKind, Purpose  # noqa: E402
from hub.events import webhooks  # noqa: E402
from hub.events.dispatcher import Dispatcher  # noqa: E402
from hub.importer.service import import_rows  # noqa: E402
from hub.models import OutboxEvent  # noqa: E402
from hub.root.build import build_hub  # noqa: E402
from hub.settings import Settings  # noqa: E402
from hub.uscc import make_uscc  # noqa: E402

# --- the receiver (its own process) -------------------------------------------


def serve_receiver(port: int) -> None:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    seen: dict[str, float] = {}
    lags: list[float] = []

    async def hook(request: Request) -> Response:
        body = await request.body()
        now = time.time()
        msg = request.headers["webhook-id"]
        if msg not in seen:
            seen[msg] = now
            at = datetime.fromisoformat(json.loads(body)["data"]["at"])
            lags.append(now - at.timestamp())
        return Response(status_code=204)

    async def stats(request: Request) -> Response:
        return JSONResponse({"count": len(seen), "lags": lags})

    app = Starlette(
        routes=[Route("/hook", hook, methods=["POST"]), Route("/stats", stats)]
    )
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


# --- the bench ----------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _entity(uscc: str, i: int) -> dict[str, Any]:
    return {
        "type": "entity",
        "uscc": uscc,
        "name": f"郑州示范企业{i:05d}有限公司",
        "kind": "ENTERPRISE",
        "region_code": "410100",
        "status": "存续",
    }


def _record(uscc: str, n: int, today: Any) -> dict[str, Any]:
    return {
        "type": "record",
        "uscc": uscc,
        "source": "market-regulation",
        "source_id": f"BENCH-{n:06d}",
        "category": "PENALTY",
        "kind": "ADMIN_PENALTY",
        "severity": "ORDINARY",
        "title": f"罚款 {n % 50 + 1} 万元",
        "authority": "郑州市市场监督管理局",
        "decided_on": today.isoformat(),
        "publish_from": today.isoformat(),
        "publish_until": today.replace(year=today.year + 1).isoformat(),
    }


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def run(args: argparse.Namespace, receiver: str, stats_url: str) -> None:
    tmp = tempfile.mkdtemp(prefix="events-bench-")
    url = args.database_url or f"sqlite+aiosqlite:///{tmp}/hub.db"
    settings = Settings(
        database_url=url,
        webhook_workers=args.workers,
        events_poll_seconds=0.2,
    )
    hub = await build_hub(settings)
    rng = random.Random(2026)
    usccs = list(dict.fromkeys(make_uscc(rng) for _ in range(args.entities * 2)))
    usccs = usccs[: args.entities]
    await import_rows(
        hub.sessionmaker, [_entity(u, i) for i, u in enumerate(usccs)], hub.clock
    )
    async with session_scope(hub.sessionmaker) as s:
        creds = await client_service.create(
            s, actor=SYSTEM, clock=hub.clock, kind=PrincipalKind.BANK, name="郑州银行"
        )
    bank = Principal(id=creds.client.id, kind=PrincipalKind.BANK, name="郑州银行")
    expires = hub.clock.now() + timedelta(days=300)
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
                    purpose=Purpose.MONITORING,
                    categories=(DataCategory.BASIC, DataCategory.PENALTY),
                    expires_at=expires,
                ),
            )
        await webhooks.register(s, hub, bank, url=receiver, events=[])

    dispatcher = Dispatcher(hub)
    dispatcher.start()
    today = hub.clock.today()
    rows = [_record(usccs[n % len(usccs)], n, today) for n in range(args.events)]
    started = time.perf_counter()
    await import_rows(hub.sessionmaker, rows, hub.clock)
    imported = time.perf_counter() - started
    async with httpx.AsyncClient() as http:
        while True:
            got = (await http.get(stats_url)).json()
            if got["count"] >= args.events:
                break
            await asyncio.sleep(0.05)
    elapsed = time.perf_counter() - started
    await dispatcher.stop()
    async with hub.sessionmaker() as s:
        first_at = await s.scalar(select(func.min(OutboxEvent.at)))
        last_routed = await s.scalar(select(func.max(OutboxEvent.routed_at)))
    await hub.aclose()
    lags = [x * 1000 for x in got["lags"]]
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(
        f"{args.events} events, {args.entities} enterprises, {backend}, "
        f"{args.workers} delivery workers, {os.cpu_count()} CPUs"
    )
    print(f"  import ({args.events} rows → outbox): {imported:.2f} s")
    print(f"  import → last webhook received: {elapsed:.2f} s")
    if first_at and last_routed:
        routing = (last_routed - first_at).total_seconds()
        print(f"  first event → last event routed: {routing:.2f} s")
    print(f"  throughput: {args.events / elapsed:.0f} events/s")
    print(
        "  delivery latency (receipt − event commit): "
        f"p50 {_pct(lags, 50):.0f} ms, p90 {_pct(lags, 90):.0f} ms, "
        f"p99 {_pct(lags, 99):.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--entities", type=int, default=1_000)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--serve-receiver", type=int, default=None, help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.serve_receiver is not None:
        serve_receiver(args.serve_receiver)
        return
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve-receiver", str(port)],
        stdout=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                httpx.get(f"{base}/stats")
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        asyncio.run(run(args, f"{base}/hook", f"{base}/stats"))
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
