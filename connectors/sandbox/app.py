"""The sandbox agencies as a Starlette app.

Routes: ``/tax/v1/credit-rating/{uscc}``, ``/court/v1/dishonest/{uscc}``,
``/market/v1/records/{uscc}?types=license,penalty``,
``/utility/v1/arrears/{uscc}``; admin: ``POST/DELETE/GET /_faults``,
``GET/DELETE /_stats`` (requests received per source).
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from connectors.sandbox import data
from connectors.sandbox.faults import Fault, parse_fault
from hub.clock import SystemClock
from hub.uscc import invalid_reason

__all__ = ["SOURCES", "create_app"]

SOURCES = ("tax", "court", "market", "utility")
# Long enough that any client gives up first.
HANG_SECONDS = 300.0


async def _hang(request: Request) -> None:
    """Answer nothing until the client gives up (or HANG_SECONDS pass)."""
    loop = asyncio.get_running_loop()
    until = loop.time() + HANG_SECONDS
    while loop.time() < until and not await request.is_disconnected():
        await asyncio.sleep(0.05)


def create_app(
    *, api_key: str | None = None, today: Callable[[], date] | date | None = None
) -> Starlette:
    """``today`` anchors the generated dates (default: the real current date)."""
    faults: dict[str, Fault] = {}
    stats: Counter[str] = Counter()

    def reference_day() -> date:
        if today is None:
            return SystemClock().today()  # a China calendar day (hub.clock)
        return today() if callable(today) else today

    def answer(source: str, build: Callable[[str, date, Request], dict[str, Any]]):
        async def endpoint(request: Request) -> Response:
            stats[source] += 1
            if api_key and request.headers.get("x-api-key") != api_key:
                return JSONResponse({"error": "invalid or missing X-Api-Key"}, 401)
            uscc = request.path_params["uscc"]
            reason = invalid_reason(uscc)
            if reason is not None:
                return JSONResponse({"error": f"invalid uscc: {reason}"}, 400)
            try:
                fault = faults.get(source, Fault()).merged(
                    parse_fault(
                        request.headers.get("x-sandbox-fault")
                        or request.query_params.get("fault")
                    )
                )
            except ValueError as exc:
                return JSONResponse({"error": str(exc)}, 400)
            if fault.latency:
                await asyncio.sleep(fault.latency)
            if fault.timeout:
                await _hang(request)
            status = fault.fails_now()
            if status is not None:
                return JSONResponse({"error": "injected fault"}, status)
            body = build(uscc, reference_day(), request)
            if fault.wrong_uscc:
                body = {**body, "uscc": data.other_uscc(uscc)}
            if fault.schema:
                return JSONResponse({"uscc": body["uscc"], "result": "ok"})
            text = json.dumps(body, ensure_ascii=False)
            if fault.malformed:
                text = text[: len(text) // 2]
            return Response(text, media_type="application/json")

        return endpoint

    def market(uscc: str, day: date, request: Request) -> dict[str, Any]:
        types = set(request.query_params.get("types", "license,penalty").split(","))
        return data.market_answer(uscc, day, types)

    async def set_fault(request: Request) -> Response:
        try:
            body = await request.json()
            source = body.get("source")
            if source not in SOURCES:
                raise ValueError(f"source must be one of {', '.join(SOURCES)}")
            faults[source] = Fault.from_json(body)
        except (ValueError, AttributeError) as exc:
            return JSONResponse({"error": str(exc)}, 400)
        return JSONResponse({"source": source, "fault": repr(faults[source])})

    async def clear_faults(request: Request) -> Response:
        source = request.query_params.get("source")
        if source:
            faults.pop(source, None)
        else:
            faults.clear()
        return JSONResponse({"faults": sorted(faults)})

    async def list_faults(request: Request) -> Response:
        return JSONResponse({name: repr(f) for name, f in faults.items()})

    async def get_stats(request: Request) -> Response:
        return JSONResponse({s: stats[s] for s in SOURCES})

    async def reset_stats(request: Request) -> Response:
        stats.clear()
        return JSONResponse({s: 0 for s in SOURCES})

    routes = [
        Route(
            "/tax/v1/credit-rating/{uscc}",
            answer("tax", lambda u, d, r: data.tax_answer(u, d)),
        ),
        Route(
            "/court/v1/dishonest/{uscc}",
            answer("court", lambda u, d, r: data.court_answer(u, d)),
        ),
        Route("/market/v1/records/{uscc}", answer("market", market)),
        Route(
            "/utility/v1/arrears/{uscc}",
            answer("utility", lambda u, d, r: data.utility_answer(u, d)),
        ),
        Route("/_faults", set_fault, methods=["POST"]),
        Route("/_faults", clear_faults, methods=["DELETE"]),
        Route("/_faults", list_faults, methods=["GET"]),
        Route("/_stats", get_stats, methods=["GET"]),
        Route("/_stats", reset_stats, methods=["DELETE"]),
    ]
    return Starlette(routes=routes)
