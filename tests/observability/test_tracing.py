"""Traces with the ``otel`` extra: a request, its SQL and its log lines in one
trace, read back from the SDK's in-memory exporter."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from hub.enums import PrincipalKind
from hub.logs import configure_logging
from hub.root.app import create_app
from hub.settings import Settings
from hub.tracing import setup_tracing, tracing_on, uninstrument
from tests.api import Api
from tests.servers import unavailable

USCC = "91350100M000100Y43"
PROFILE = """query Profile($u: USCC!) { creditProfile(uscc: $u, purpose: LENDING) {
  entity { name } } }"""


@pytest.fixture
def spans() -> Iterator[Any]:
    try:
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
            InMemorySpanExporter,
        )
    except ImportError:
        unavailable("OpenTelemetry not installed: pip install -e '.[test,otel]'")
        return
    exporter = InMemorySpanExporter()
    setup_tracing(exporter)
    yield exporter
    uninstrument()  # the tests after this one run untraced
    exporter.clear()


def test_switched_on_by_setting_or_standard_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in (
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "OTEL_TRACES_EXPORTER",
        "OTEL_SDK_DISABLED",
    ):
        monkeypatch.delenv(name, raising=False)
    assert not tracing_on(Settings())
    assert tracing_on(Settings(otel_enabled=True))
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")
    assert tracing_on(Settings())
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    assert not tracing_on(Settings(otel_enabled=True))


async def test_a_profile_read_is_one_trace_with_its_sql(
    api: Api, spans: Any, redis_url: str
) -> None:
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    await api.grant(USCC, bank, "LENDING", ["BASIC"])
    settings = api.hub.settings.model_copy(update={"otel_enabled": True})
    app = create_app(settings, hub=api.hub)
    out = io.StringIO()
    configure_logging("json", stream=out)
    spans.clear()
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://hub"
        ) as http:
            r = await http.post(
                "/graphql",
                json={"query": PROFILE, "variables": {"u": USCC}},
                headers={"authorization": f"Bearer {bank.token}"},
            )
        assert r.json()["data"]["creditProfile"]["entity"]["name"]
        # an outgoing call (webhooks, connectors use httpx) and a Redis command
        async with httpx.AsyncClient() as client:
            await client.get(f"http://127.0.0.1:{_closed_port()}/", timeout=2)
    except httpx.ConnectError:
        pass
    finally:
        for h in [h for h in logging.getLogger().handlers if h.get_name() == "hub"]:
            logging.getLogger().removeHandler(h)
    import redis.asyncio as aioredis

    client = aioredis.from_url(redis_url)
    await client.ping()
    await client.aclose()

    finished = spans.get_finished_spans()
    server = [s for s in finished if s.kind.name == "SERVER"]
    assert server and any("/graphql" in s.name for s in server)
    trace_id = server[0].context.trace_id
    sql = [
        s for s in finished if s.attributes.get("db.system") in ("sqlite", "postgresql")
    ]  # the one-statement read on PostgreSQL is asyncpg's span, not SQLAlchemy's
    assert sql and all(s.context.trace_id == trace_id for s in sql)
    assert any("audit_events" in str(s.attributes.get("db.statement")) for s in sql)
    assert any(s.attributes.get("db.system") == "redis" for s in finished)
    assert any(
        s.kind.name == "CLIENT"
        and "GET" in s.name
        and not s.attributes.get("db.system")
        for s in finished
    )
    # and the access line names the trace
    (access,) = [
        json.loads(x) for x in out.getvalue().splitlines() if '"hub.access"' in x
    ]
    assert access["trace_id"] == format(trace_id, "032x")


def _closed_port() -> int:
    from tests.servers import _free_port

    return _free_port()
