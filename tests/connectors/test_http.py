"""Timeouts, retries, validation and the circuit breaker, against the real sandbox."""

from __future__ import annotations

import pytest

from connectors.breaker import BreakerState, CircuitBreaker
from connectors.errors import (
    CircuitOpen,
    MalformedPayload,
    SourceConnectionError,
    SourceHTTPError,
    SourceTimeout,
    WrongSubject,
)
from connectors.protocol import EntityRef, FetchContext
from connectors.registry import ConnectorRegistry, load_connectors
from hub.clock import FrozenClock
from tests.connectors.conftest import SandboxServer, _free_port, connector_settings

USCC = "91350100M000100Y43"


async def fetch_tax(registry: ConnectorRegistry, clock: FrozenClock):  # type: ignore[no-untyped-def]
    tax = registry["henan-tax"]
    return await tax.fetch(
        EntityRef(USCC), tax.categories, FetchContext(registry.http, clock)
    )


@pytest.mark.parametrize(
    ("fault", "error", "reason"),
    [
        ({"timeout": True}, SourceTimeout, "TIMEOUT"),
        ({"status": 503}, SourceHTTPError, "HTTP_ERROR"),
        ({"malformed": True}, MalformedPayload, "MALFORMED_PAYLOAD"),
        ({"schema": True}, MalformedPayload, "MALFORMED_PAYLOAD"),
        ({"wrong_uscc": True}, WrongSubject, "WRONG_USCC"),
    ],
)
async def test_each_fault_raises_a_typed_error(
    registry: ConnectorRegistry,
    sandbox: SandboxServer,
    clock: FrozenClock,
    fault: dict[str, object],
    error: type[Exception],
    reason: str,
) -> None:
    # given the tax source is sick in one particular way
    sandbox.fault("tax", **fault)
    # when fetched
    with pytest.raises(error) as caught:
        await fetch_tax(registry, clock)
    # then the error is typed and says which source and why
    assert caught.value.code == "SOURCE_UNAVAILABLE"
    assert caught.value.extensions() == {
        "code": "SOURCE_UNAVAILABLE",
        "source": "henan-tax",
        "reason": reason,
    }


async def test_5xx_is_retried_within_the_budget(
    registry: ConnectorRegistry, sandbox: SandboxServer, clock: FrozenClock
) -> None:
    sandbox.fault("tax", status=503)
    with pytest.raises(SourceHTTPError):
        await fetch_tax(registry, clock)
    # retries=1: the first attempt and one retry
    assert sandbox.stats()["tax"] == 2


async def test_4xx_and_malformed_are_not_retried(
    registry: ConnectorRegistry, sandbox: SandboxServer, clock: FrozenClock
) -> None:
    sandbox.fault("tax", status=404)
    with pytest.raises(SourceHTTPError, match="HTTP 404"):
        await fetch_tax(registry, clock)
    sandbox.fault("tax", malformed=True)
    with pytest.raises(MalformedPayload, match="not JSON"):
        await fetch_tax(registry, clock)
    assert sandbox.stats()["tax"] == 2


async def test_malformed_payload_keeps_the_raw_answer(
    registry: ConnectorRegistry, sandbox: SandboxServer, clock: FrozenClock
) -> None:
    sandbox.fault("tax", wrong_uscc=True)
    with pytest.raises(WrongSubject) as caught:
        await fetch_tax(registry, clock)
    assert caught.value.raw.startswith('{"uscc": "')
    assert f"asked about {USCC} but the answer is about" in caught.value.detail


async def test_connection_refused_is_a_connection_error(clock: FrozenClock) -> None:
    registry = load_connectors(connector_settings(f"http://127.0.0.1:{_free_port()}"))
    try:
        with pytest.raises(SourceConnectionError):
            await fetch_tax(registry, clock)
    finally:
        await registry.aclose()


async def test_api_key_is_sent(clock: FrozenClock) -> None:
    server = SandboxServer(api_key="k-1")
    registry = load_connectors(connector_settings(server.url, api_key="k-1"))
    try:
        assert len(await fetch_tax(registry, clock)) == 2
    finally:
        await registry.aclose()
        server.stop()


async def test_circuit_opens_then_half_opens_after_the_cooldown(
    registry: ConnectorRegistry, sandbox: SandboxServer, clock: FrozenClock
) -> None:
    tax = registry["henan-tax"]
    tax.breaker = CircuitBreaker(threshold=2, cooldown=30)
    sandbox.fault("tax", status=500)
    # given two consecutive failures
    for _ in range(2):
        with pytest.raises(SourceHTTPError):
            await fetch_tax(registry, clock)
    assert tax.breaker.state(clock.now()) is BreakerState.OPEN
    asked = sandbox.stats()["tax"]
    # when asked again within the cool-down: refused without calling the source
    with pytest.raises(CircuitOpen, match="after 2 consecutive failures"):
        await fetch_tax(registry, clock)
    assert sandbox.stats()["tax"] == asked
    # after the cool-down one trial goes out; it fails, so the circuit re-opens
    clock.advance(seconds=30)
    assert tax.breaker.state(clock.now()) is BreakerState.HALF_OPEN
    with pytest.raises(SourceHTTPError):
        await fetch_tax(registry, clock)
    assert tax.breaker.state(clock.now()) is BreakerState.OPEN
    # the source recovers; the next trial succeeds and closes the circuit
    sandbox.reset()
    clock.advance(seconds=30)
    assert len(await fetch_tax(registry, clock)) == 2
    assert tax.breaker.state(clock.now()) is BreakerState.CLOSED
    assert tax.breaker.failures == 0


def test_half_open_lets_exactly_one_trial_through(clock: FrozenClock) -> None:
    breaker = CircuitBreaker(threshold=1, cooldown=10)
    breaker.failure(clock.now())
    clock.advance(seconds=10)
    assert [breaker.allow(clock.now()) for _ in range(3)] == [True, False, False]
    breaker.abandon()
    assert breaker.allow(clock.now()) is True
