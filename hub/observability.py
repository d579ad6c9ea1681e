"""Health, readiness and Prometheus metrics."""

from __future__ import annotations

import time
from functools import lru_cache
from typing import Any

from prometheus_client import Counter, Histogram
from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from hub import metrics as hub_metrics

__all__ = ["MetricsMiddleware", "healthz", "metrics", "readyz"]

REQUESTS = Counter(
    "hub_http_requests_total", "HTTP requests", ["method", "route", "status"]
)
LATENCY = Histogram(
    "hub_http_request_seconds", "HTTP request latency", ["method", "route"]
)


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    hub = request.app.state.hub
    checks: dict[str, bool] = {}
    try:
        async with hub.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        checks["database"] = True
    except Exception:
        checks["database"] = False
    if hub.backends.redis is not None:
        checks["redis"] = await hub.backends.ping()
    ok = all(checks.values())
    return JSONResponse(
        {"status": "ready" if ok else "unavailable", "checks": checks},
        status_code=200 if ok else 503,
    )


async def metrics(request: Request) -> Response:
    """Prometheus text of all workers (``hub.metrics``).

    With ``HUB_METRICS_PORT`` set it is served there instead; with
    ``HUB_METRICS_TOKEN`` only to ``Authorization: Bearer <token>``.
    """
    settings = request.app.state.hub.settings
    if settings.metrics_port is not None:
        return PlainTextResponse("Not Found", status_code=404)
    if not hub_metrics.authorized(
        request.headers.get("authorization"), settings.metrics_token
    ):
        return PlainTextResponse(
            "metrics need Authorization: Bearer <HUB_METRICS_TOKEN>",
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    body, media = hub_metrics.exposition()
    return Response(body, media_type=media)


class MetricsMiddleware:
    """Counts and times requests by route path (bounded label set)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route = scope["path"] if scope["path"] in _KNOWN else "other"
        status = {"code": 500}

        async def send_wrapper(message: Any) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        start = time.perf_counter()
        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            _latency(scope["method"], route).observe(time.perf_counter() - start)
            _requests(scope["method"], route, status["code"]).inc()


# A label set's child is the same object for the process's life: looked up
# once (bounded: methods are the client's to choose).
@lru_cache(maxsize=1024)
def _latency(method: str, route: str) -> Any:
    return LATENCY.labels(method, route)


@lru_cache(maxsize=1024)
def _requests(method: str, route: str, code: int) -> Any:
    return REQUESTS.labels(method, route, str(code))


_KNOWN = {
    "/graphql",
    "/oauth/token",
    "/.well-known/jwks.json",
    "/healthz",
    "/readyz",
    "/metrics",
    "/audit/checkpoints",
}
