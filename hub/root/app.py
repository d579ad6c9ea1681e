"""The Starlette application: routes, lifespan-managed resources, limits."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute

from hub.audit.chain import Sealer
from hub.audit.checkpoints import make_checkpoint
from hub.audit.routes import routes as audit_routes
from hub.auth.routes import routes as auth_routes
from hub.clock import Clock
from hub.events.dispatcher import Dispatcher
from hub.forwarded import ForwardedFor
from hub.logs import configure_logging
from hub.metrics import watch_pool
from hub.observability import MetricsMiddleware, healthz, metrics, readyz
from hub.reports.routes import routes as report_routes
from hub.request_log import RequestLog
from hub.resources import Hub
from hub.root.build import build_hub
from hub.settings import Settings, get_settings
from hub.tracing import instrument, instrument_engine, tracing_on
from schema import compiled_plans, get_schema
from schema.view import HubGraphQL
from web import graphiql
from web.routes import exception_handlers as web_exception_handlers
from web.routes import routes as web_routes

__all__ = ["BodyLimit", "create_app"]

log = logging.getLogger("hub")


class BodyLimit:
    """Refuse request bodies over the limit with 413 (interfaces.md: 1 MiB).

    The body is read (up to the limit) before the application sees it, so a
    chunked upload without Content-Length is refused the same way.
    """

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit():
            if int(declared) > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
        messages, seen = [], 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        replay = iter(messages)

        async def replayed() -> Any:
            return next(replay, None) or await receive()

        await self.app(scope, replayed, send)

    async def _too_large(self, scope: Any, receive: Any, send: Any) -> None:
        response = JSONResponse(
            {
                "errors": [
                    {
                        "message": f"Request body over {self.max_bytes} bytes.",
                        "extensions": {"code": "VALIDATION_ERROR"},
                    }
                ]
            },
            status_code=413,
        )
        await response(scope, receive, send)


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    hub: Hub | None = None,
) -> Any:
    """Build the ASGI app; resources come from the lifespan unless ``hub`` is given."""
    settings = settings or get_settings()
    if hub is None:
        # A server process (each uvicorn worker builds its own app): every
        # logger, uvicorn's included, goes through the hub's formatter.
        configure_logging(settings.log_format, settings.log_level)
    graphql = HubGraphQL(
        get_schema(settings.production),
        graphql_ide=None if settings.production else "graphiql",
    )
    # GraphiQL from the hub's own files (works offline; web.graphiql).
    graphql.ide_page = graphiql.page
    if settings.compiled_reads:
        graphql.plans = compiled_plans(settings.production)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if hub is not None:
            app.state.hub = hub
            yield
            return
        if settings.production and settings.is_sqlite:
            log.warning(
                "HUB_ENV=production on SQLite without Redis: run a single process only"
            )
        made = await build_hub(settings, clock)
        app.state.hub = made
        watch_pool(made.engine)
        if tracing_on(settings):
            instrument_engine(made.engine)
        sealer = Sealer(
            made.sessionmaker,
            checkpoint=partial(
                make_checkpoint, made.sessionmaker, made.keys, made.clock
            ),
            checkpoint_every=settings.audit_checkpoint_seconds,
            outages=made.outages,
        )
        sealer.start()
        # Routes the outbox and delivers webhooks in the background: bounded,
        # never in a request's path (hub.events.dispatcher).
        dispatcher = Dispatcher(made)
        dispatcher.start()
        try:
            yield
        finally:
            await dispatcher.stop()
            await sealer.stop()
            await made.aclose()

    app = Starlette(
        routes=[
            # Every method reaches the view, which answers what it does not
            # serve with a coded 405 instead of the router's plain-text page.
            # First: nearly every request is one (routes match in order).
            Route("/graphql", graphql, methods=None),
            WebSocketRoute("/graphql", graphql),
            *auth_routes,
            *report_routes,
            *audit_routes,
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics),
            *web_routes,
        ],
        exception_handlers=web_exception_handlers,
        lifespan=lifespan,
    )
    if hub is not None:
        app.state.hub = hub
    # Outermost: every layer below sees the client's address as decided from
    # HUB_TRUSTED_PROXIES (hub.forwarded).
    served = ForwardedFor(
        RequestLog(MetricsMiddleware(BodyLimit(app, settings.max_body_bytes))),
        settings.trusted_networks,
    )
    if tracing_on(settings):
        return instrument(served, hub.engine if hub is not None else None)
    return served
