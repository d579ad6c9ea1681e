"""Soak: 4 workers, PostgreSQL and Redis, mixed load, a killed worker, a Redis restart.

Starts what it needs: a private PostgreSQL (unless ``--database-url``), a
Redis server of its own, a webhook receiver (its own process) and
``xinyi-hub serve --workers 4``.  Seeds E enterprises (default 300) with
records, a bank holding LENDING consents, a monitoring bank with a webhook,
then runs ``--users`` concurrent callers for ``--minutes`` (default 10):

- profile reads (``creditProfile``) and batches (``creditProfiles``, 10 each),
- decisions (``eligibility(credit-loan)``),
- grant → read → revoke → read-refused cycles by enterprises for a third bank,
- an import of 20 new negative records every 20 s (``xinyi-hub import``),
  each a webhook to the monitoring bank's receiver.

At 40 % of the run one worker gets ``SIGKILL`` (uvicorn starts another); at
60 % the Redis server is stopped for 5 s and started again.  It prints
requests by outcome, responses with data but no audit row (must be 0), 5xx
outside the outage window (must be 0), webhook messages received (and
repeats of a ``webhook-id``, which the receiver must tolerate), the audit
chain's verification and p50/p99 per time slice.

    .venv/bin/python bench/soak.py [--minutes 10] [--users 16] [--entities 300]
        [--workers 4] [--database-url postgresql+asyncpg://...]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from hub.auth.clients import client_service  # noqa: E402
from hub.auth.principal import SYSTEM, Principal  # noqa: E402
from hub.auth.scopes import allowed_scopes  # noqa: E402
from hub.auth.tokens import issue_access_token  # noqa: E402
from hub.clock import SystemClock  # noqa: E402
from hub.consent.service import GrantRequest  # noqa: E402
from hub.consent.service import grant as grant_consent  # noqa: E402
from hub.db import migrate, session_scope  # noqa: E402
from hub.enums import DataCategory, PrincipalKind, Purpose  # noqa: E402
from hub.events import webhooks  # noqa: E402
from hub.importer.service import import_rows  # noqa: E402
from hub.models import AuditEvent, WebhookDelivery  # noqa: E402
from hub.root.build import build_hub  # noqa: E402
from hub.settings import Settings  # noqa: E402
from hub.uscc import make_uscc  # noqa: E402

PROFILE = """query Profile($u: USCC!) { creditProfile(uscc: $u, purpose: LENDING) {
  auditEventId entity { name } records(first: 5) { totalCount } } }"""
BATCH = """query Batch($u: [USCC!]!) { creditProfiles(usccs: $u, purpose: LENDING) {
  ... on CreditProfile { auditEventId } ... on ProfileError { code } } }"""
DECIDE = """query Decide($u: USCC!) { eligibility(scenario: "credit-loan", uscc: $u) {
  id outcome } }"""
GRANT = """mutation Grant($i: GrantConsentInput!) { grantConsent(input: $i) { id } }"""
REVOKE = """mutation Revoke($id: ID!) { revokeConsent(id: $id) { status } }"""
CHURN_READ = """query Churn($u: USCC!) { creditProfile(uscc: $u, purpose: GUARANTEE) {
  auditEventId } }"""


# --- the webhook receiver (its own process) -----------------------------------


def serve_receiver(port: int) -> None:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    seen: Counter[str] = Counter()

    async def hook(request: Request) -> Response:
        await request.body()
        seen[request.headers["webhook-id"]] += 1
        return Response(status_code=204)

    async def stats(request: Request) -> Response:
        return JSONResponse({"ids": list(seen), "posts": sum(seen.values())})

    app = Starlette(
        routes=[Route("/hook", hook, methods=["POST"]), Route("/stats", stats)]
    )
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


# --- processes ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


class Redis:
    """A redis-server this script owns, restartable on the same port."""

    def __init__(self, tmp: str) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise SystemExit("redis-server not found (apt-get install redis-server)")
        self.binary, self.port, self.tmp = binary, free_port(), tmp
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no", "--dir", self.tmp],
            stdout=subprocess.DEVNULL,
        )
        wait_port(self.port)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


def workers_of(pid: int) -> list[int]:
    """uvicorn's worker processes: children of ``pid`` running the app."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmd = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid and b"spawn_main" in cmd:
            found.append(int(entry))
    return sorted(found)


# --- seeding --------------------------------------------------------------------


def entity_row(uscc: str, i: int) -> dict[str, Any]:
    return {
        "type": "entity",
        "uscc": uscc,
        "name": f"郑州耐久测试企业{i:05d}有限公司",
        "kind": "ENTERPRISE",
        "region_code": "410100",
        "status": "存续",
    }


def record_row(uscc: str, n: int, today: Any, prefix: str = "SOAK") -> dict[str, Any]:
    return {
        "type": "record",
        "uscc": uscc,
        "source": "market-regulation",
        "source_id": f"{prefix}-{n:07d}",
        "category": "PENALTY",
        "kind": "ADMIN_PENALTY",
        "severity": "ORDINARY",
        "title": f"罚款 {n % 50 + 1} 万元",
        "authority": "郑州市市场监督管理局",
        "decided_on": today.isoformat(),
        "publish_from": today.isoformat(),
        "publish_until": today.replace(year=today.year + 1).isoformat(),
    }


@dataclass
class Seeded:
    usccs: list[str]
    bank_token: str
    churn_id: str
    churn_token: str
    subject_tokens: dict[str, str]


async def seed(settings: Settings, entities: int, receiver: str) -> Seeded:
    hub = await build_hub(settings, SystemClock())
    rng = random.Random(2026)
    usccs = list(dict.fromkeys(make_uscc(rng) for _ in range(entities * 2)))[:entities]
    today = hub.clock.today()
    rows: list[dict[str, Any]] = [entity_row(u, i) for i, u in enumerate(usccs)]
    rows += [record_row(usccs[n % entities], n, today) for n in range(entities * 3)]
    await import_rows(hub.sessionmaker, rows, hub.clock)

    def token(sub: str, kind: PrincipalKind, **extra: Any) -> str:
        tok, _ = issue_access_token(
            hub.keys,
            settings,
            hub.clock,
            sub=sub,
            kind=kind,
            scope=allowed_scopes(kind),
            extra=extra or None,
        )
        return tok

    principals = {}
    async with session_scope(hub.sessionmaker) as s:
        for name, kind in (
            ("郑州银行", PrincipalKind.BANK),
            ("河南省监测银行", PrincipalKind.BANK),
            ("河南省中小企业担保", PrincipalKind.GUARANTOR),
        ):
            made = await client_service.create(
                s, actor=SYSTEM, clock=hub.clock, kind=kind, name=name
            )
            principals[name] = Principal(id=made.client.id, kind=kind, name=name)
    bank, monitor = principals["郑州银行"], principals["河南省监测银行"]
    churn = principals["河南省中小企业担保"]
    expires = hub.clock.now() + timedelta(days=300)
    lending = (
        DataCategory.BASIC,
        DataCategory.EVALUATION,
        DataCategory.TAX,
        DataCategory.PENALTY,
        DataCategory.JUDICIAL,
    )
    async with session_scope(hub.sessionmaker) as s:
        for u in usccs:
            subject = Principal(id=u, kind=PrincipalKind.SUBJECT, name=u, uscc=u)
            for grantee, purpose, cats in (
                (bank, Purpose.LENDING, lending),
                (
                    monitor,
                    Purpose.MONITORING,
                    (DataCategory.BASIC, DataCategory.PENALTY),
                ),
            ):
                await grant_consent(
                    s,
                    hub,
                    subject,
                    GrantRequest(
                        subject=u,
                        grantee_id=grantee.id,
                        purpose=purpose,
                        categories=cats,
                        expires_at=expires,
                    ),
                )
        await webhooks.register(s, hub, monitor, url=receiver, events=[])
    seeded = Seeded(
        usccs=usccs,
        bank_token=token(bank.id, PrincipalKind.BANK),
        churn_id=churn.id,
        churn_token=token(churn.id, PrincipalKind.GUARANTOR),
        subject_tokens={
            u: token(u, PrincipalKind.SUBJECT, uscc=u) for u in usccs[: entities // 3]
        },
    )
    await hub.aclose()
    return seeded


# --- the load -------------------------------------------------------------------


@dataclass
class Result:
    at: float  # seconds since the load started
    op: str
    status: int
    outcome: str
    ms: float


@dataclass
class Load:
    base: str
    seeded: Seeded
    started: float = 0.0
    results: list[Result] = field(default_factory=list)
    audit_ids: set[str] = field(default_factory=set)
    decision_ids: set[str] = field(default_factory=set)
    revocations_not_in_force: int = 0
    users: int = 1
    stopping: bool = False

    async def call(
        self,
        http: httpx.AsyncClient,
        op: str,
        query: str,
        vars: dict[str, Any],
        token: str,
    ) -> dict[str, Any] | None:
        t0 = time.perf_counter()
        try:
            r = await http.post(
                "/graphql",
                json={"query": query, "variables": vars},
                headers={"authorization": f"Bearer {token}"},
            )
        except httpx.HTTPError as exc:
            self.note(op, t0, 0, f"connection:{type(exc).__name__}")
            return None
        try:
            body: dict[str, Any] = r.json()
        except ValueError:
            self.note(op, t0, r.status_code, "not-json")
            return None
        errors = body.get("errors") or []
        outcome = "ok"
        if errors:
            outcome = "error:" + str(errors[0].get("extensions", {}).get("code"))
        self.note(op, t0, r.status_code, outcome)
        return body

    def note(self, op: str, t0: float, status: int, outcome: str) -> None:
        now = time.perf_counter()
        self.results.append(
            Result(t0 - self.started, op, status, outcome, (now - t0) * 1000)
        )

    async def user(self, n: int) -> None:
        rng = random.Random(n)
        s = self.seeded
        limits = httpx.Limits(max_connections=2, max_keepalive_connections=2)
        async with httpx.AsyncClient(
            base_url=self.base, timeout=30, limits=limits
        ) as http:
            while not self.stopping:
                roll = rng.random()
                u = rng.choice(s.usccs)
                if roll < 0.45:
                    body = await self.call(
                        http, "profile", PROFILE, {"u": u}, s.bank_token
                    )
                    data = (body or {}).get("data") or {}
                    if data.get("creditProfile"):
                        self.audit_ids.add(data["creditProfile"]["auditEventId"])
                elif roll < 0.60:
                    batch = rng.sample(s.usccs, 10)
                    body = await self.call(
                        http, "batch", BATCH, {"u": batch}, s.bank_token
                    )
                    for item in ((body or {}).get("data") or {}).get(
                        "creditProfiles"
                    ) or []:
                        if item.get("auditEventId"):
                            self.audit_ids.add(item["auditEventId"])
                elif roll < 0.85:
                    body = await self.call(
                        http, "decision", DECIDE, {"u": u}, s.bank_token
                    )
                    data = (body or {}).get("data") or {}
                    if data.get("eligibility"):
                        self.decision_ids.add(data["eligibility"]["id"])
                else:
                    await self.churn(http, rng, n)

    async def churn(self, http: httpx.AsyncClient, rng: random.Random, n: int) -> None:
        """Grant, read, revoke, read again: the last read must be refused.

        Each caller churns its own enterprises: another caller's grant in
        between would rightly make the last read succeed.
        """
        s = self.seeded
        mine = [u for i, u in enumerate(s.subject_tokens) if i % self.users == n]
        if not mine:
            return
        u = rng.choice(mine)
        expires = (datetime.now(UTC) + timedelta(days=30)).isoformat()
        body = await self.call(
            http,
            "grant",
            GRANT,
            {
                "i": {
                    "subject": u,
                    "granteeId": s.churn_id,
                    "purpose": "GUARANTEE",
                    "categories": ["BASIC"],
                    "expiresAt": expires,
                }
            },
            s.subject_tokens[u],
        )
        granted = ((body or {}).get("data") or {}).get("grantConsent")
        if not granted:
            return
        body = await self.call(http, "churn-read", CHURN_READ, {"u": u}, s.churn_token)
        data = (body or {}).get("data") or {}
        if data.get("creditProfile"):
            self.audit_ids.add(data["creditProfile"]["auditEventId"])
        body = await self.call(
            http, "revoke", REVOKE, {"id": granted["id"]}, s.subject_tokens[u]
        )
        if not ((body or {}).get("data") or {}).get("revokeConsent"):
            return
        body = await self.call(http, "churn-read", CHURN_READ, {"u": u}, s.churn_token)
        data = (body or {}).get("data") or {}
        if data.get("creditProfile"):
            self.revocations_not_in_force += 1

    async def imports(self, env: dict[str, str], tmp: str, every: float) -> None:
        n = 0
        while not self.stopping:
            await asyncio.sleep(every)
            path = Path(tmp) / f"import-{n}.jsonl"
            today = datetime.now(UTC).date()
            rows = [
                record_row(u, n * 100 + i, today, prefix="SOAKNEW")
                for i, u in enumerate(random.Random(n).sample(self.seeded.usccs, 20))
            ]
            path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows))
            t0 = time.perf_counter()
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "hub.root.cli",
                "import",
                str(path),
                "--json",
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
            out, _ = await proc.communicate()
            self.note("import", t0, 0, "ok" if proc.returncode == 0 else "failed")
            n += 1


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


# --- the run --------------------------------------------------------------------


async def soak(args: argparse.Namespace) -> int:
    tmp = tempfile.mkdtemp(prefix="hub-soak-")
    pg = None
    url = args.database_url
    if url is None:
        os.environ.pop("HUB_TEST_DATABASE_URL", None)
        from tests.servers import PostgresServer

        pg = PostgresServer()
        url = pg.new_database()
    redis = Redis(tmp)
    receiver_port = free_port()
    receiver = subprocess.Popen(
        [sys.executable, __file__, "--serve-receiver", str(receiver_port)],
        stdout=subprocess.DEVNULL,
    )
    wait_port(receiver_port)
    receiver_base = f"http://127.0.0.1:{receiver_port}"
    port = free_port()
    env = {
        **os.environ,
        "HUB_DATABASE_URL": url,
        "HUB_REDIS_URL": redis.url,
        "HUB_TOKEN_TTL": "86400",
        # One bank does all reads: the per-principal limit is not under test.
        "HUB_RATE_LIMIT_PER_MINUTE": "10000000",
        "HUB_WEBHOOK_ALLOW_PRIVATE": "true",
        "HUB_LOG_FORMAT": "json",
        "HUB_AUDIT_CHECKPOINT_SECONDS": "30",
        "HUB_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "PROMETHEUS_MULTIPROC_DIR": f"{tmp}/metrics",
    }
    env.pop("HUB_METRICS_PORT", None)
    server = None
    log_path = Path(tmp) / "serve.log"
    try:
        migrate(url)
        settings = Settings(database_url=url, redis_url=redis.url, token_ttl=86400)
        print(f"seeding {args.entities} enterprises …", flush=True)
        seeded = await seed(settings, args.entities, f"{receiver_base}/hook")
        with open(log_path, "wb") as log:
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "hub.root.cli",
                    "serve",
                    "--port",
                    str(port),
                    "--workers",
                    str(args.workers),
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        base = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient() as probe:
            for _ in range(600):
                try:
                    if (await probe.get(f"{base}/readyz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.2)
        for _ in range(300):  # every worker up
            if len(workers_of(server.pid)) >= args.workers:
                break
            await asyncio.sleep(0.2)
        load = Load(base, seeded, users=args.users)
        duration = args.minutes * 60
        load.started = time.perf_counter()
        tasks = [asyncio.create_task(load.user(n)) for n in range(args.users)]
        tasks.append(asyncio.create_task(load.imports(env, tmp, 20.0)))
        print(
            f"load: {args.users} callers, {args.minutes} min, "
            f"{args.workers} workers (pids {workers_of(server.pid)})",
            flush=True,
        )
        await asyncio.sleep(duration * 0.4)
        victims = workers_of(server.pid)
        killed_at = time.perf_counter() - load.started
        os.kill(victims[0], signal.SIGKILL)
        print(f"{killed_at:6.0f} s: SIGKILL worker {victims[0]}", flush=True)
        await asyncio.sleep(duration * 0.2)
        outage_from = time.perf_counter() - load.started
        redis.stop()
        print(f"{outage_from:6.0f} s: Redis stopped", flush=True)
        await asyncio.sleep(5)
        redis.start()
        restarted = time.perf_counter() - load.started
        print(f"{restarted:6.0f} s: Redis started again", flush=True)
        # The outage window: Redis away, and the seconds after in which
        # pooled connections find out it went (each fails once, then reconnects).
        outage_to = restarted + args.grace
        await asyncio.sleep(max(0.0, duration - (time.perf_counter() - load.started)))
        load.stopping = True
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - load.started

        # webhooks: wait until every message in the database reached the receiver
        engine_settings = Settings(database_url=url)
        hub = await build_hub(engine_settings, SystemClock())
        async with httpx.AsyncClient() as http:
            deadline = time.monotonic() + 120
            while True:
                async with hub.sessionmaker() as s:
                    messages = set(
                        (await s.scalars(select(WebhookDelivery.message_id))).all()
                    )
                got = (await http.get(f"{receiver_base}/stats")).json()
                if messages <= set(got["ids"]) or time.monotonic() > deadline:
                    break
                await asyncio.sleep(1)
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(60)
        server = None
        async with hub.sessionmaker() as s:
            written: set[str] = set()
            ids = sorted(load.audit_ids)
            for k in range(0, len(ids), 5000):  # bounded IN lists
                found = await s.scalars(
                    select(AuditEvent.id).where(AuditEvent.id.in_(ids[k : k + 5000]))
                )
                written.update(found.all())
            details = (
                await s.scalars(
                    select(AuditEvent.detail).where(
                        AuditEvent.action == "eligibility.check"
                    )
                )
            ).all()
            total_events = await s.scalar(select(func.count()).select_from(AuditEvent))
        await hub.aclose()
        decided = {d.get("decision") for d in details if isinstance(d, dict)}
        verify = subprocess.run(
            [sys.executable, "-m", "hub.root.cli", "audit", "verify", "--json"],
            env=env,
            capture_output=True,
            text=True,
        )
        chain = json.loads(verify.stdout or "{}")

        # ---- the figures ----
        results = load.results
        requests = [r for r in results if r.op != "import"]
        print()
        print(
            f"soak: {elapsed / 60:.1f} min, {args.workers} workers, "
            f"{args.users} callers, "
            f"{args.entities} enterprises, PostgreSQL + Redis, {os.cpu_count()} CPUs"
        )
        print(
            f"faults: SIGKILL of a worker at {killed_at:.0f} s; Redis away "
            f"{outage_from:.0f}–{restarted:.0f} s (window counted to {outage_to:.0f} s)"
        )
        print(f"requests: {len(requests)} ({len(requests) / elapsed:.0f}/s)")
        by = Counter((r.op, r.outcome, r.status) for r in results)
        for (op, outcome, status), n in sorted(by.items()):
            print(f"  {op:<10} {outcome:<36} {status:>3}  {n:>7}")
        no_audit = len(load.audit_ids - written) + len(load.decision_ids - decided)
        print(f"responses with data but no audit row: {no_audit}")
        print(
            f"reads that succeeded after their consent was revoked: "
            f"{load.revocations_not_in_force}"
        )

        # A request is in the window when it overlapped it: one in flight
        # when Redis went away fails although it started a moment before.
        def overlaps(r: Result) -> bool:
            return r.at <= outage_to and r.at + r.ms / 1000 >= outage_from

        outside = [r for r in requests if r.status >= 500 and not overlaps(r)]
        inside = [r for r in requests if r.status >= 500 and overlaps(r)]
        conn = [r for r in requests if r.status == 0]
        print(f"5xx outside the outage window: {len(outside)} (inside: {len(inside)})")
        # How long after Redis was back requests still failed (the recovery
        # bound the operations guide states).
        after = [r for r in requests if r.status >= 500 and r.at >= restarted]
        print(
            f"5xx starting after Redis was back: {len(after)}"
            + (
                f", the last {max(r.at for r in after) - restarted:.1f} s after"
                if after
                else ""
            )
        )
        print(f"connection errors (the killed worker's open connections): {len(conn)}")
        print(
            f"webhooks: {len(messages)} messages, {len(messages & set(got['ids']))} "
            f"received, {got['posts'] - len(got['ids'])} repeated webhook-ids "
            f"(at-least-once), {len(messages - set(got['ids']))} missing"
        )
        print(
            f"audit chain: {'intact' if chain.get('ok') else 'BROKEN'}, "
            f"{chain.get('events')} events ({total_events} in the table)"
        )
        slice_s = max(10.0, duration / 10)
        buckets: dict[int, list[float]] = defaultdict(list)
        for r in requests:
            if r.status == 200:
                buckets[int(r.at // slice_s)].append(r.ms)
        print(f"latency of answered requests per {slice_s:.0f} s (ms):")
        print("   from     n    req/s    p50     p99")
        for b in sorted(buckets):
            v = buckets[b]
            print(
                f"  {b * slice_s:5.0f}s {len(v):6d} {len(v) / slice_s:7.1f} "
                f"{pct(v, 50):7.1f} {pct(v, 99):7.1f}"
            )
        ok = (
            no_audit == 0
            and not outside
            and chain.get("ok")
            and not (messages - set(got["ids"]))
            and load.revocations_not_in_force == 0
        )
        print("RESULT:", "PASS" if ok else "FAIL", f"(logs: {log_path})")
        return 0 if ok else 1
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGKILL)
        receiver.terminate()
        receiver.wait(10)
        redis.stop()
        if pg is not None:
            pg.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--entities", type=int, default=300)
    parser.add_argument(
        "--grace",
        type=float,
        default=10.0,
        help="seconds after Redis is back still counted as the outage window",
    )
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--serve-receiver", type=int, default=None, help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.serve_receiver is not None:
        serve_receiver(args.serve_receiver)
        return
    sys.exit(asyncio.run(soak(args)))


if __name__ == "__main__":
    main()
