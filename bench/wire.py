"""Statements PostgreSQL is asked for, per call, counted on the wire.

    .venv/bin/python bench/wire.py --token-file F --usccs-file F

Runs the hub in-process on ``HUB_DATABASE_URL`` (without its background
sealer and dispatcher, so nothing else talks to the database) and asks, one
call after another through ``httpx.ASGITransport``: single ``creditProfile``
reads, ``creditProfiles`` of 10 and of 100 codes, and
``eligibility(credit-loan)`` decisions (each enterprise decided once
before, so its evaluation of the day is cached).  Every
execution asyncpg sends on the engine's connections is counted on the
connection's protocol (``tests/statements.py``: BEGIN and COMMIT included,
an ``executemany`` of N rows as N).  Per call: the statements made while it
was answered, and those of sealing its audit events afterwards (the sealer's
pass, run right after the call).  Prints one JSON object;
``bench/profile_bench.py`` runs it and prints the table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


async def count(token: str, usccs: list[str], calls: int) -> dict[str, Any]:
    import httpx

    from bench.profile_bench import BATCH, ELIGIBILITY
    from bench.profile_bench import QUERY as SINGLE
    from hub.audit.chain import seal_pending
    from hub.root.app import create_app
    from hub.root.build import build_hub
    from hub.settings import get_settings
    from tests.statements import counting

    settings = get_settings()
    hub = await build_hub(settings, None)
    app = create_app(settings, hub=hub)
    headers = {"authorization": f"Bearer {token}"}
    out: dict[str, Any] = {}
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://hub"
        ) as client:

            async def ask(query: str, variables: dict[str, Any]) -> None:
                r = await client.post(
                    "/graphql",
                    json={"query": query, "variables": variables},
                    headers=headers,
                )
                body = r.json()
                if r.status_code != 200 or body.get("errors"):
                    raise SystemExit(f"the hub answered {r.status_code}: {body}")

            loads = [
                ("creditProfile", SINGLE, [{"u": u} for u in usccs[:calls]]),
                (
                    "creditProfiles of 10",
                    BATCH,
                    [{"u": usccs[i : i + 10]} for i in range(0, 10 * calls, 10)],
                ),
                (
                    "creditProfiles of 100",
                    BATCH,
                    [{"u": usccs[i : i + 100]} for i in range(0, 100 * calls, 100)],
                ),
                ("eligibility", ELIGIBILITY, [{"u": u} for u in usccs[:calls]]),
            ]
            for label, query, variables in loads:
                await ask(query, variables[0])  # warm: status, plans, rule version
                if label == "eligibility":
                    # The first decision of a day per enterprise computes its
                    # evaluation: count the usual (cached) decision.
                    for v in variables[1:]:
                        await ask(query, v)
                await seal_pending(hub.sessionmaker)
                with counting(hub.engine) as seen:
                    served = sealed = 0
                    heads: Counter[str] = Counter()
                    for v in variables[1:]:
                        seen.sql.clear()
                        seen.on = True
                        await ask(query, v)
                        seen.on = False
                        served += seen.count
                        heads.update(" ".join(q.split())[:40] for q in seen.sql)
                        seen.sql.clear()
                        seen.on = True
                        await seal_pending(hub.sessionmaker)
                        seen.on = False
                        sealed += seen.count
                n = len(variables) - 1
                out[label] = {
                    "calls": n,
                    "per_call": served / n,
                    "sealing_per_call": sealed / n,
                    "statements": {k: v / n for k, v in heads.most_common()},
                }
    finally:
        await hub.aclose()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--token-file", type=Path, required=True)
    ap.add_argument("--usccs-file", type=Path, required=True)
    ap.add_argument("--calls", type=int, default=11)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    result = asyncio.run(
        count(
            args.token_file.read_text().strip(),
            json.loads(args.usccs_file.read_text()),
            args.calls,
        )
    )
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
