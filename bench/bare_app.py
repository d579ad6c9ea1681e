"""The floor: a bare Starlette + asyncpg endpoint doing the profile's SQL reads.

No GraphQL, no authentication, no consent check, no audit write — the same
two SELECTs (the entity, its 20 latest TAX/PENALTY records) and JSON out.
Run by ``bench/profile_bench.py`` under uvicorn with the same worker count.
"""

from __future__ import annotations

import os
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

DSN = os.environ["BARE_DSN"]


@asynccontextmanager
async def lifespan(app: Starlette) -> Any:
    app.state.pool = await asyncpg.create_pool(DSN, min_size=4, max_size=20)
    yield
    await app.state.pool.close()


async def profile(request: Request) -> JSONResponse:
    uscc = request.path_params["uscc"]
    async with request.app.state.pool.acquire() as conn:
        entity = await conn.fetchrow(
            "SELECT uscc, name, kind, region_code, status FROM entities "
            "WHERE uscc = $1",
            uscc,
        )
        records = await conn.fetch(
            "SELECT id, category, kind, severity, status, title, decided_on "
            "FROM credit_records WHERE uscc = $1 AND category = ANY($2::text[]) "
            "ORDER BY decided_on DESC NULLS LAST, id DESC LIMIT 20",
            uscc,
            ["TAX", "PENALTY"],
        )
    return JSONResponse(
        {
            "entity": dict(entity) if entity else None,
            "records": [
                {
                    **dict(r),
                    "decided_on": r["decided_on"].isoformat()
                    if r["decided_on"]
                    else None,
                }
                for r in records
            ],
        }
    )


app = Starlette(routes=[Route("/profile/{uscc}", profile)], lifespan=lifespan)
