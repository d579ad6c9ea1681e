"""A subscription ends once its credential lapses — without waiting for a message."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from hub.alerts import CHANNEL
from hub.enums import PrincipalKind
from tests.api import Api, make_api
from tests.rights.ws import GraphQLSocket

SUB = "subscription { riskAlerts { uscc reason } }"


@pytest.fixture
async def live(db_url: str, clock: Any, tmp_path: Any) -> AsyncIterator[Api]:
    # re-checked often so the test need not wait the default second
    api, http = await make_api(
        db_url, clock, tmp_path, subscription_recheck_seconds=0.05
    )
    yield api
    await http.aclose()
    await api.hub.aclose()


def _app(api: Api) -> Any:
    return api.http._transport.app  # type: ignore[attr-defined]


async def _subscribed(api: Api) -> None:
    # Wait (cooperatively) until the server-side generator has subscribed.
    for _ in range(1000):
        if api.hub.pubsub._subscribers.get(CHANNEL):  # type: ignore[attr-defined]
            return
        await asyncio.sleep(0.005)
    raise AssertionError("subscription never started")


async def _ended_unauthenticated(ws: GraphQLSocket) -> None:
    # nothing is published: the next thing the socket says is the ending
    msg = await ws.receive()
    assert msg["id"] == "1"
    payload = msg["payload"]
    errors = payload["errors"] if isinstance(payload, dict) else payload
    assert [e["extensions"]["code"] for e in errors] == ["UNAUTHENTICATED"]


async def test_ends_when_the_token_expires(live: Api) -> None:
    bank = await live.client(PrincipalKind.BANK)
    async with GraphQLSocket(_app(live), bank.token) as ws:
        await ws.send({"id": "1", "type": "subscribe", "payload": {"query": SUB}})
        await _subscribed(live)
        live.clock.advance(seconds=live.hub.settings.token_ttl + 10)
        await _ended_unauthenticated(ws)


async def test_ends_when_the_client_is_suspended(live: Api) -> None:
    bank = await live.client(PrincipalKind.BANK)
    admin = await live.client(PrincipalKind.ADMIN)
    async with GraphQLSocket(_app(live), bank.token) as ws:
        await ws.send({"id": "1", "type": "subscribe", "payload": {"query": SUB}})
        await _subscribed(live)
        await live.data(
            "mutation($id: ID!) { suspendClient(id: $id) { active } }",
            {"id": bank.id},
            admin.token,
        )
        await _ended_unauthenticated(ws)


async def test_ends_when_the_secret_is_rotated(live: Api) -> None:
    bank = await live.client(PrincipalKind.BANK)
    admin = await live.client(PrincipalKind.ADMIN)
    async with GraphQLSocket(_app(live), bank.token) as ws:
        await ws.send({"id": "1", "type": "subscribe", "payload": {"query": SUB}})
        await _subscribed(live)
        await live.data(
            "mutation($id: ID!) { rotateClientSecret(id: $id) { clientId } }",
            {"id": bank.id},
            admin.token,
        )
        await _ended_unauthenticated(ws)
    # and the stream let go of its subscription to the channel
    assert not live.hub.pubsub._subscribers.get(CHANNEL)  # type: ignore[attr-defined]
