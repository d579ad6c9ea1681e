"""What an ``eligibility`` decision costs: statements and server CPU.

    .venv/bin/python bench/decision_bench.py compare [--entities 20000]
        [--rounds 3] [--duration 8] [--connections 16] [--before DIR]
        [--keep] [--reuse]

Seeds ``--db-name`` (default ``bench_elig``) on the PostgreSQL at ``--pg-url``
the way ``bench/profile_bench.py`` does (enterprises, ``--records-per-entity``
shared records each of TAX, PENALTY, JUDICIAL and LICENSING, a LENDING
consent from every one to a bank), and puts 2 % of them on a BLACK list,
5 % on a RED one, and gives each a tax credit grade (A, B, M or C) and a
third of them no negative record.  Then, for this hub and the hub in
``--before``:

* **statements per decision** — the hub runs in-process (its own lifespan,
  sealer and dispatcher included) and answers ``--count`` decisions one
  after another through ``httpx.ASGITransport`` (the process's CPU time —
  hub, client and sealer — is printed too; ``--rounds`` times, interleaved);
  every statement asyncpg
  sends while a request is being answered is counted on the connection's
  protocol (as ``tests/statements.py`` does), BEGIN and COMMIT included, the
  sealer's and dispatcher's own left out.  Each checkout runs in its own
  process with its own code first on ``sys.path``.  The decisions (outcome,
  benefits, reasons, rule version) of both must be equal, or the bench stops;
* **server CPU per decision** — interleaved rounds of wrk against a uvicorn
  server of each (``--workers`` workers, started afresh each round), CPU time
  of the server's processes from ``/proc`` divided by the decisions served.

Before measuring, every sampled enterprise is decided once, so each has a
cached evaluation for the day (the first decision of a day recomputes it).
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
QUERY = (
    'query($u: USCC!) { eligibility(scenario: "credit-loan", uscc: $u) { id '
    "outcome benefits { code value } reasons { ruleId } ruleVersion } }"
)
_VARIETY = [
    # 2 % on a BLACK list (RESTRICTED), 5 % on a RED one
    """
INSERT INTO list_memberships (uscc, kind, list_name, basis, since, until,
    source, created_at, updated_at, status)
SELECT e.uscc, l.kind, l.name, '（2025）豫01执' || abs(hashtext(e.uscc)) || '号',
       DATE '2025-06-01', NULL, 'bench', now(), now(), 'ACTIVE'
FROM entities e,
     LATERAL (VALUES ('BLACK', '失信被执行人名单', 50),
                     ('RED', '纳税信用A级纳税人名单', 20)) AS l(kind, name, every)
WHERE abs(hashtext(e.uscc || l.kind)) % l.every = 0
""",
    # a tax credit grade for each (A, B, M or C), so decisions vary
    """
UPDATE credit_records
SET kind = 'TAX_RATING', severity = 'NONE',
    details = json_build_object(
        'rating', (ARRAY['A', 'B', 'M', 'C'])[1 + abs(hashtext(uscc)) % 4])
WHERE category = 'TAX' AND source_id = uscc || '-2'
""",
    # a third with no negative record at all
    "UPDATE credit_records SET severity = 'NONE' WHERE abs(hashtext(uscc)) % 3 = 0",
]


# --- statements: runs in a subprocess whose sys.path starts with the hub ----

_IN_REQUEST: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "in_request", default=False
)


class _Counting:
    """An asyncpg connection's protocol, counting what requests execute."""

    def __init__(self, inner: Any, seen: list[str]) -> None:
        self._inner, self._seen = inner, seen

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def _note(self, query: str, n: int = 1) -> None:
        if _IN_REQUEST.get():
            self._seen.extend([query] * n)

    async def query(self, query: str, *args: Any, **kw: Any) -> Any:
        self._note(query)
        return await self._inner.query(query, *args, **kw)

    async def bind_execute(self, state: Any, *args: Any, **kw: Any) -> Any:
        self._note(state.query)
        return await self._inner.bind_execute(state, *args, **kw)

    async def bind_execute_many(
        self, state: Any, args: Any, *rest: Any, **kw: Any
    ) -> Any:
        rows = list(args)
        self._note(state.query, len(rows))
        return await self._inner.bind_execute_many(state, rows, *rest, **kw)


async def _statements(hub_root: Path, token: str, usccs: list[str]) -> dict[str, Any]:
    import asyncpg
    import httpx

    seen: list[str] = []
    connect = asyncpg.connect

    async def counted(*args: Any, **kw: Any) -> Any:
        conn = await connect(*args, **kw)
        conn._protocol = _Counting(conn._protocol, seen)
        return conn

    asyncpg.connect = counted  # the engine's connections, made from now on
    import hub  # noqa: F401  (from hub_root: sys.path[0])
    from hub.root.app import create_app

    app = create_app()
    starlette = app
    while not hasattr(starlette, "router"):  # under the outer middleware
        starlette = starlette.app
    headers = {"authorization": f"Bearer {token}"}
    decisions: list[Any] = []
    async with starlette.router.lifespan_context(starlette):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://hub"
        ) as client:

            async def ask(u: str) -> dict[str, Any]:
                body = {"query": QUERY, "variables": {"u": u}}
                r = await client.post("/graphql", json=body, headers=headers)
                data = r.json()
                if data.get("errors"):
                    raise SystemExit(f"{u}: {data['errors']}")
                return data["data"]["eligibility"]  # type: ignore[no-any-return]

            for u in usccs[:10]:  # warm: client status, rule version, codecs
                await ask(u)
            token_ = _IN_REQUEST.set(True)
            cpu = time.process_time()
            try:
                for u in usccs:
                    d = await ask(u)
                    decisions.append(
                        [u, d["outcome"], d["benefits"], d["reasons"], d["ruleVersion"]]
                    )
            finally:
                cpu = time.process_time() - cpu
                _IN_REQUEST.reset(token_)
    heads = Counter(" ".join(q.split())[:48] for q in seen)
    return {
        "hub": str(Path(hub.__file__).resolve().parent.parent),
        "decisions": len(usccs),
        "statements": len(seen),
        "per_decision": len(seen) / len(usccs),
        "cpu_ms": 1000 * cpu / len(usccs),
        "by_statement": {k: v / len(usccs) for k, v in heads.most_common()},
        "answers": decisions,
    }


def statements_main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hub-root", type=Path, required=True)
    ap.add_argument("--token-file", type=Path, required=True)
    ap.add_argument("--usccs-file", type=Path, required=True)
    args = ap.parse_args(argv)
    sys.path.insert(0, str(args.hub_root.resolve()))
    os.chdir(args.hub_root)
    out = asyncio.run(
        _statements(
            args.hub_root,
            args.token_file.read_text().strip(),
            json.loads(args.usccs_file.read_text()),
        )
    )
    print(json.dumps(out, ensure_ascii=False))


# --- the comparison ---------------------------------------------------------


def _count_in(root: Path, tmp: Path, env: dict[str, str]) -> dict[str, Any]:
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "decision_bench.py"),
            "statements",
            "--hub-root",
            str(root),
            "--token-file",
            str(tmp / "token"),
            "--usccs-file",
            str(tmp / "count.json"),
        ],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise SystemExit(f"counting in {root} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def compare_main(argv: list[str]) -> None:
    sys.path.insert(0, str(ROOT))
    from bench import profile_bench as pb

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    pb.database_arguments(ap, db_name="bench_elig", entities=20_000)
    ap.add_argument("--sample", type=int, default=500)
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--duration", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--before", type=Path)
    args = ap.parse_args(argv)
    if not shutil.which("wrk"):
        sys.exit("wrk is needed (apt-get install wrk)")
    admin, url = pb.bench_database(args)
    env = pb.hub_env(url, args.redis_url)
    tmp = Path(tempfile.mkdtemp(prefix="hub-elig-"))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        usccs, token = pb.seeded(args, admin, url)
        if not args.reuse:
            for sql in _VARIETY:
                asyncio.run(pb._exec(url.replace("+asyncpg", ""), sql))
        (tmp / "token").write_text(token)
        sample = usccs[:: max(1, len(usccs) // args.sample)][: args.sample]
        (tmp / "count.json").write_text(json.dumps(sample[: args.count]))
        checkouts = [("now", ROOT)]
        if args.before:
            checkouts.insert(0, ("before", args.before.resolve()))
        # Every sampled enterprise decided once: its evaluation is cached.
        hub = pb.server("hub.root.app:create_app", 8801, args.workers, env)
        procs.append(hub)
        pb.graphql_lua(
            tmp / "elig.lua", ",".join(f'"{u}"' for u in sample), token, QUERY
        )
        import httpx

        with httpx.Client(timeout=60) as client:
            for u in sample:
                client.post(
                    "http://127.0.0.1:8801/graphql",
                    json={"query": QUERY, "variables": {"u": u}},
                    headers={"authorization": f"Bearer {token}"},
                )
        hub.terminate()
        hub.wait(10)
        procs.clear()
        counts: dict[str, list[dict[str, Any]]] = {}
        for _round in range(args.rounds):
            for label, root in checkouts:
                counts.setdefault(label, []).append(_count_in(root, tmp, env))
        counted = {label: c[0] for label, c in counts.items()}
        answers = [c["answers"] for cs in counts.values() for c in cs]
        if any(a != answers[0] for a in answers):
            sys.exit("the checkouts decide differently")
        runs: dict[str, list[dict[str, float]]] = {}
        for _round in range(args.rounds):
            for label, root in checkouts:
                proc = pb.server(
                    "hub.root.app:create_app", 8801, args.workers, env, root
                )
                procs.append(proc)
                try:
                    script = str(tmp / "elig.lua")
                    pb.wrk("http://127.0.0.1:8801", script, 3, args.connections)
                    r = pb.wrk(
                        "http://127.0.0.1:8801",
                        script,
                        args.duration,
                        args.connections,
                        proc.pid,
                    )
                    runs.setdefault(label, []).append(r)
                    print(
                        f"  {label}: {r['rps']:.0f} decisions/s, "
                        f"cpu {r['cpu_ms']:.2f} ms, non-2xx {r['non2xx']:.0f}",
                        file=sys.stderr,
                    )
                finally:
                    proc.terminate()
                    proc.wait(10)
                    procs.remove(proc)
        outcomes = Counter(a[1] for a in answers[0])
        print(
            f"\n{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {len(usccs)} enterprises, "
            f"{args.records_per_entity} records each; eligibility(credit-loan) over "
            f"{len(sample)} of them; statements over {args.count} decisions "
            f"({dict(outcomes)}), same answers from every checkout"
        )
        for label, c in counted.items():
            per = sorted(x["per_decision"] for x in counts[label])
            cpu = sorted(x["cpu_ms"] for x in counts[label])
            print(
                f"{label}: {per[0]:.2f}–{per[-1]:.2f} statements per decision; "
                f"{cpu[0]:.2f}–{cpu[-1]:.2f} ms CPU per decision in process "
                "(hub, client and sealer; one decision at a time)"
            )
            for head, n in c["by_statement"].items():
                print(f"    {n:5.2f}  {head}")
        print(
            f"\n{args.rounds} interleaved rounds × {args.duration}s, "
            f"{args.connections} connections, {args.workers} workers; ranges over "
            "rounds"
        )
        print(
            f"{'hub':<10}{'decisions/s':>14}{'p50 ms':>14}{'p99 ms':>14}"
            f"{'CPU ms/decision':>18}{'non-2xx':>9}"
        )

        def span(rs: list[dict[str, float]], k: str, fmt: str) -> str:
            lo, hi = min(r[k] for r in rs), max(r[k] for r in rs)
            return f"{lo:{fmt}}–{hi:{fmt}}"

        for label, rs in runs.items():
            print(
                f"{label:<10}{span(rs, 'rps', '.0f'):>14}{span(rs, 'p50', '.1f'):>14}"
                f"{span(rs, 'p99', '.1f'):>14}{span(rs, 'cpu_ms', '.2f'):>18}"
                f"{sum(r['non2xx'] for r in rs):>9.0f}"
            )
        if "before" in runs:
            ratios = [
                n["cpu_ms"] / b["cpu_ms"]
                for n, b in zip(runs["now"], runs["before"], strict=True)
            ]
            print(
                "CPU per decision, now / before, per round: "
                + ", ".join(f"{r:.2f}" for r in ratios)
            )
    finally:
        for p in procs:
            p.terminate()
            p.wait(10)
        pb.drop_unless_kept(args, admin)
        shutil.rmtree(tmp, ignore_errors=True)


def main(mode: str, argv: list[str]) -> None:
    if mode == "statements":
        statements_main(argv)
    else:
        compare_main(argv)
