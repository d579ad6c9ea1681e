"""OpenTelemetry traces, when the ``otel`` extra is installed and switched on.

``pip install 'xinyi-hub[otel]'`` brings the SDK, the OTLP exporter and the
Starlette, SQLAlchemy, httpx and Redis instrumentations.  Tracing is on with
``HUB_OTEL_ENABLED=true`` or when one of the standard variables names an
exporter (``OTEL_EXPORTER_OTLP_ENDPOINT``, ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``,
``OTEL_TRACES_EXPORTER``); everything else (service name, sampler, headers)
is the SDK's own ``OTEL_*`` configuration.  Each request is a server span
with the database statements, Redis commands and outgoing calls (connectors,
webhooks) under it; log lines carry its ``trace_id``.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from hub.settings import Settings

__all__ = [
    "instrument",
    "setup_tracing",
    "trace_ids",
    "tracing_on",
    "uninstrument",
]

log = logging.getLogger("hub.tracing")

_STANDARD = (
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_TRACES_EXPORTER",
)
_state: dict[str, Any] = {}


def tracing_on(settings: Settings) -> bool:
    if os.environ.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return False
    return settings.otel_enabled or any(os.environ.get(v) for v in _STANDARD)


def setup_tracing(exporter: Any = None) -> Any:
    """Install a tracer provider once per process; returns it.

    ``exporter`` (tests: the SDK's ``InMemorySpanExporter``) is used as is;
    otherwise the OTLP exporter reads its ``OTEL_EXPORTER_OTLP_*`` settings,
    or, with ``OTEL_TRACES_EXPORTER=console``, spans are printed.
    """
    if "provider" in _state and exporter is None:
        return _state["provider"]
    try:
        from opentelemetry import trace
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import (
            BatchSpanProcessor,
            ConsoleSpanExporter,
            SimpleSpanProcessor,
        )
    except ImportError as exc:
        raise RuntimeError(
            "tracing is switched on but OpenTelemetry is not installed: "
            "pip install 'xinyi-hub[otel]'"
        ) from exc
    provider = _state.get("provider")
    if provider is None:
        resource = Resource.create(
            {"service.name": os.environ.get("OTEL_SERVICE_NAME", "xinyi-hub")}
        )
        provider = TracerProvider(resource=resource)
        trace.set_tracer_provider(provider)
        _state["provider"] = provider
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    elif os.environ.get("OTEL_TRACES_EXPORTER", "otlp") == "console":
        provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
            OTLPSpanExporter,
        )

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider


def instrument(app: Any, engine: Any = None) -> Any:
    """The ASGI ``app`` wrapped in a server span per request (outermost, so
    the access line is written inside it), the engine instrumented, and —
    once per process — httpx, Redis and asyncpg (the one-statement read runs
    on the pooled asyncpg connection, below SQLAlchemy)."""
    setup_tracing()
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    if engine is not None:
        instrument_engine(engine)
    if not _state.get("clients"):
        from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
        from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
        from opentelemetry.instrumentation.redis import RedisInstrumentor

        HTTPXClientInstrumentor().instrument()
        RedisInstrumentor().instrument()
        AsyncPGInstrumentor().instrument()
        _state["clients"] = True
    return OpenTelemetryMiddleware(app)


def instrument_engine(engine: Any) -> None:
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    # The instrumentation declares SQLAlchemy < 2.1; it works through the
    # engine's public cursor events, unchanged in 2.1, so the check is skipped.
    # One engine per process: instrumenting is once per process, so a newer
    # engine (a test's next hub) takes the place of the one before.
    instrumentor = SQLAlchemyInstrumentor()
    if instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.uninstrument()
    instrumentor.instrument(engine=engine.sync_engine, skip_dep_check=True)


def uninstrument() -> None:
    """Undo the process-wide instrumentation (httpx, Redis, asyncpg,
    SQLAlchemy)."""
    if "provider" not in _state:
        return
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    for instrumentor in (
        HTTPXClientInstrumentor(),
        RedisInstrumentor(),
        AsyncPGInstrumentor(),
        SQLAlchemyInstrumentor(),
    ):
        if instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.uninstrument()
    _state.pop("clients", None)


def trace_ids(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """structlog processor: the current span's trace and span ids, if any."""
    if "provider" not in _state:
        return event_dict
    from opentelemetry import trace

    ctx = trace.get_current_span().get_span_context()
    if ctx.is_valid:
        event_dict.setdefault("trace_id", format(ctx.trace_id, "032x"))
        event_dict.setdefault("span_id", format(ctx.span_id, "016x"))
    return event_dict
