"""Console pages beside the GraphQL queries they mirror, in one run.

    python bench/console_bench.py [--n 200] [--entities 300]

Builds a hub on a fresh SQLite file (demo data for ``--entities``
enterprises, an ADMIN client signed in to the console), then times, in
process over ASGI and alternating so machine noise hits both alike:

* ``GET /console`` (totals, 14 daily points, the funnel) vs the
  ``stats`` query over the same 14 days;
* ``GET /console/clients`` vs the ``clients`` query;
* ``GET /console/audit`` vs the ``auditEvents`` query (first 50).

Prints one JSON object: median and p95 milliseconds of each, and each
page's ratio to its query (rendering HTML, cookies and the session
re-check included).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import tempfile
import time
from datetime import timedelta
from typing import Any

PAIRS = {
    "dashboard": (
        "/console",
        '{ stats(from: "%(start)s", to: "%(end)s") { profileReads decisions '
        "loansGranted byScenario { scenario decisions } funnel { requests } } }",
    ),
    "clients": (
        "/console/clients",
        "{ clients(first: 50) { totalCount edges { node { id name active } } } }",
    ),
    "audit": (
        "/console/audit",
        "{ auditEvents(first: 50) { totalCount edges { node { id action } } } }",
    ),
}


def _ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 2),
    }


async def run(n: int, entities: int) -> dict[str, Any]:
    import httpx

    from hub.auth.clients import client_service
    from hub.auth.principal import SYSTEM
    from hub.auth.scopes import allowed_scopes
    from hub.auth.tokens import issue_access_token
    from hub.db import session_scope
    from hub.demo.generator import seed_demo
    from hub.enums import PrincipalKind
    from hub.root.app import create_app
    from hub.root.build import build_hub
    from hub.settings import Settings

    tmp = tempfile.mkdtemp(prefix="console-bench-")
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp}/hub.db",
        key_dir=f"{tmp}/keys",
        env="test",
        web_login_rate_limit_per_minute=1000,
    )
    hub = await build_hub(settings)
    await seed_demo(hub.sessionmaker, entities, 2026, hub.clock)
    async with session_scope(hub.sessionmaker) as s:
        creds = await client_service.create(
            s, actor=SYSTEM, clock=hub.clock, kind=PrincipalKind.ADMIN, name="bench"
        )
    token, _ = issue_access_token(
        hub.keys,
        settings,
        hub.clock,
        sub=creds.client.id,
        kind=PrincipalKind.ADMIN,
        scope=allowed_scopes(PrincipalKind.ADMIN),
    )
    app = create_app(settings, hub=hub)
    transport = httpx.ASGITransport(app=app)
    end = hub.clock.today()
    period = {"start": end - timedelta(days=13), "end": end}
    out: dict[str, Any] = {"n": n, "entities": entities, "database": "sqlite"}
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
        login = await http.get("/console/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
        assert csrf
        signed = await http.post(
            "/console/login",
            data={
                "client_id": creds.client_id,
                "client_secret": creds.client_secret,
                "csrf_token": csrf.group(1),
            },
        )
        assert signed.status_code == 303, signed.text
        headers = {"authorization": f"Bearer {token}"}
        for name, (path, query) in PAIRS.items():
            body = {"query": query % {k: v.isoformat() for k, v in period.items()}}
            pages: list[float] = []
            queries: list[float] = []
            for _ in range(n):
                t0 = time.perf_counter()
                r = await http.get(path)
                pages.append(time.perf_counter() - t0)
                assert r.status_code == 200, (path, r.status_code)
                t0 = time.perf_counter()
                q = await http.post("/graphql", json=body, headers=headers)
                queries.append(time.perf_counter() - t0)
                assert "errors" not in q.json(), q.text
            page, query = _ms(pages), _ms(queries)
            out[name] = {
                "page": page,
                "query": query,
                "page_to_query": round(page["median_ms"] / query["median_ms"], 2),
            }
    await hub.aclose()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--entities", type=int, default=300)
    args = ap.parse_args()
    print(json.dumps(asyncio.run(run(args.n, args.entities)), ensure_ascii=False))


if __name__ == "__main__":
    main()
