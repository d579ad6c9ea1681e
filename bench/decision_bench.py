"""Decisions per second: the rule evaluator in-process, and eligibility over HTTP.

    python bench/decision_bench.py engine [--n 100000]
    python bench/decision_bench.py http --url http://127.0.0.1:8000/graphql \\
        --token TOKEN --uscc USCC [--scenario credit-loan] [--requests 2000] \\
        [--concurrency 16]
    python bench/decision_bench.py compare [--entities 20000] [--rounds 3] \\
        [--duration 8] [--before DIR] [--keep] [--reuse]

``engine`` times :func:`hub.decisions.engine.evaluate` over a spread of hand-built
fact sets for every registered scenario (rules as compiled at start-up).
``http`` sends bounded ``eligibility`` queries to a running hub on loopback
(the token must belong to a client holding a consent from ``--uscc``, or the
entity must be on a public list) and reports throughput and latency.
Each prints one JSON object.

``compare`` (``bench/decision_compare.py``) seeds a PostgreSQL database,
counts the statements PostgreSQL executes per ``eligibility`` decision (on
the wire, in-process, the sealer's own left out) and measures server CPU per
decision under wrk, for this hub and, with ``--before DIR``, an earlier one
(e.g. ``git archive <commit> | tar -x -C DIR``), interleaved on the same data.
It prints a table, not JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

FACT_SETS: list[dict[str, Any]] = [
    {
        "grade": g,
        "score": s,
        "tax_rating": t,
        "years_established": y,
        "penalties_ordinary": p,
        "dishonest_debtor": False,
        "utility_arrears": u,
        "commitments_breached": 0,
        "red_listed": r,
        "black_listed": False,
        "serious_records": 0,
    }
    for g, s in (("A", 900), ("B", 750), ("C", 600), ("D", 450), ("E", 200))
    for t in ("A", "M", "C")
    for y, p, u, r in ((5, 0, 0, False), (0, 2, 1, True))
]


def bench_engine(n: int) -> dict[str, Any]:
    from scenarios import ScenarioRegistry, compile_rules, evaluate

    registry = ScenarioRegistry.from_entry_points()
    out: dict[str, Any] = {"mode": "engine", "decisions": n, "by_scenario": {}}
    for scenario in registry:
        table = compile_rules(scenario.default_rules())
        sets = FACT_SETS
        k = len(sets)
        start = time.perf_counter()
        for i in range(n):
            evaluate(table, sets[i % k])
        elapsed = time.perf_counter() - start
        out["by_scenario"][scenario.key] = {
            "decisions_per_s": round(n / elapsed),
            "us_per_decision": round(elapsed / n * 1e6, 2),
        }
    rates = [v["decisions_per_s"] for v in out["by_scenario"].values()]
    out["median_decisions_per_s"] = round(statistics.median(rates))
    return out


QUERY = (
    "query($s: String!, $u: USCC!) { eligibility(scenario: $s, uscc: $u) "
    "{ id outcome benefits { code value } reasons { ruleId } } }"
)


async def bench_http(
    url: str, token: str, uscc: str, scenario: str, requests: int, concurrency: int
) -> dict[str, Any]:
    import httpx

    if not url.startswith(("http://127.", "http://localhost", "http://[::1]")):
        raise SystemExit("the HTTP benchmark only targets a hub on loopback")
    body = {"query": QUERY, "variables": {"s": scenario, "u": uscc}}
    headers = {"Authorization": f"Bearer {token}"}
    latencies: list[float] = []
    outcomes: dict[str, int] = {}
    queue = iter(range(requests))

    async def worker(client: httpx.AsyncClient) -> None:
        for _ in queue:
            t0 = time.perf_counter()
            resp = await client.post(url, json=body, headers=headers)
            latencies.append(time.perf_counter() - t0)
            data = resp.json()
            key = (
                (data.get("data") or {}).get("eligibility", {}).get("outcome")
                if data.get("data")
                else data["errors"][0]["extensions"]["code"]
            )
            outcomes[key] = outcomes.get(key, 0) + 1

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        await client.post(url, json=body, headers=headers)  # warm-up
        start = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    latencies.sort()
    return {
        "mode": "http",
        "scenario": scenario,
        "requests": requests,
        "concurrency": concurrency,
        "decisions_per_s": round(requests / elapsed, 1),
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 2),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 2),
        "outcomes": outcomes,
    }


def main() -> None:
    if sys.argv[1:2] in (["compare"], ["statements"]):
        from bench import decision_compare

        return decision_compare.main(sys.argv[1], sys.argv[2:])
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = ap.add_subparsers(dest="mode", required=True)
    e = sub.add_parser("engine")
    e.add_argument("--n", type=int, default=100_000)
    h = sub.add_parser("http")
    h.add_argument("--url", required=True)
    h.add_argument("--token", required=True)
    h.add_argument("--uscc", required=True)
    h.add_argument("--scenario", default="credit-loan")
    h.add_argument("--requests", type=int, default=2000)
    h.add_argument("--concurrency", type=int, default=16)
    args = ap.parse_args()
    if args.mode == "engine":
        result = bench_engine(args.n)
    else:
        result = asyncio.run(
            bench_http(
                args.url,
                args.token,
                args.uscc,
                args.scenario,
                min(args.requests, 100_000),
                args.concurrency,
            )
        )
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
