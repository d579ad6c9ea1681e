"""The ``events`` subscription: what it carries, and that it ends on its own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from hub.clock import FrozenClock
from hub.db import session_scope
from hub.enums import EventType, PrincipalKind
from hub.events.dispatcher import dispatch_pending
from hub.events.outbox import emit
from tests.api import Api, make_api
from tests.events.helpers import USCC, app_of, bank, import_negative, subscribed
from tests.rights.helpers import admin
from tests.rights.ws import GraphQLSocket

SUB = """subscription($t: [EventType!]) { events(types: $t) {
  type uscc consentId reference record { id } recordId } }"""


@pytest.fixture
async def sapi(db_url: str, clock: FrozenClock, tmp_path: Any) -> AsyncIterator[Api]:
    """A hub whose subscriptions re-check their credential every 50 ms."""
    a, http = await make_api(db_url, clock, tmp_path, subscription_check_seconds=0.05)
    yield a
    await http.aclose()
    await a.hub.aclose()


async def _subscribe(ws: GraphQLSocket, types: list[str] | None = None) -> None:
    payload = {"query": SUB, "variables": {"t": types}}
    await ws.send({"id": "1", "type": "subscribe", "payload": payload})


async def _ended_unauthenticated(ws: GraphQLSocket) -> None:
    msg = await ws.receive()
    assert msg["type"] == "next", msg
    assert [e["extensions"]["code"] for e in msg["payload"]["errors"]] == [
        "UNAUTHENTICATED"
    ]
    assert await ws.receive() == {"id": "1", "type": "complete"}


async def test_ends_when_the_token_expires_without_any_message(sapi: Api) -> None:
    monitor = await bank(sapi, "郑州银行")
    async with GraphQLSocket(app_of(sapi), monitor.token) as ws:
        await _subscribe(ws)
        await subscribed(sapi)
        # when the token expires and nothing at all is published
        sapi.clock.advance(seconds=sapi.hub.settings.token_ttl + 6)
        # then the subscription ends by itself
        await _ended_unauthenticated(ws)


async def test_ends_when_the_client_is_suspended(sapi: Api) -> None:
    monitor = await bank(sapi, "郑州银行")
    adm = await admin(sapi)
    async with GraphQLSocket(app_of(sapi), monitor.token) as ws:
        await _subscribe(ws)
        await subscribed(sapi)
        await sapi.data(
            "mutation($id: ID!) { suspendClient(id: $id) { active } }",
            {"id": monitor.id},
            adm.token,
        )
        await _ended_unauthenticated(ws)


async def test_grantees_hear_of_their_consents_and_only_the_types_asked(
    sapi: Api,
) -> None:
    # given a bank subscribed to consent events only, and another bank
    await import_negative(sapi, "P-0", severity="NONE", title="行政许可")
    grantee = await bank(sapi, "郑州银行")
    other = await bank(sapi, "中原银行")
    await sapi.grant(USCC, grantee, "MONITORING", ["BASIC", "PENALTY"])
    await dispatch_pending(sapi.hub)
    async with GraphQLSocket(app_of(sapi), grantee.token) as ws:
        await _subscribe(ws, ["CONSENT_PAUSED", "CONSENT_REQUEST_DECIDED"])
        await subscribed(sapi)
        # when the consent services emit (as the consent loop does) …
        async with session_scope(sapi.hub.sessionmaker) as s:
            at = sapi.clock.now()
            await emit(
                s,
                EventType.CONSENT_PAUSED,
                subject=USCC,
                at=at,
                consent_id="c-1",
                client_id=grantee.id,
            )
            await emit(
                s,
                EventType.CONSENT_REQUEST_DECIDED,
                subject=USCC,
                at=at,
                consent_request_id="r-1",
                reference="LN-2026-001",
                client_id=other.id,
            )
            await emit(
                s,
                EventType.CONSENT_REQUEST_DECIDED,
                subject=USCC,
                at=at,
                consent_request_id="r-2",
                reference="LN-2026-002",
                client_id=grantee.id,
            )
        # … and a record event the types leave out
        await import_negative(sapi, "P-1", entity=False)
        await dispatch_pending(sapi.hub)
        # then the grantee hears of its consent and of its own request only
        first = (await ws.receive())["payload"]["data"]["events"]
        second = (await ws.receive())["payload"]["data"]["events"]
        await ws.send({"id": "1", "type": "complete"})
    assert first == {
        "type": "CONSENT_PAUSED",
        "uscc": USCC,
        "consentId": "c-1",
        "reference": None,
        "record": None,
        "recordId": None,
    }
    assert (second["type"], second["reference"]) == (
        "CONSENT_REQUEST_DECIDED",
        "LN-2026-002",
    )


async def test_subjects_read_notices_instead(sapi: Api) -> None:
    for token in (
        sapi.subject_token(USCC),
        (await sapi.client(PrincipalKind.ADMIN)).token,
    ):
        async with GraphQLSocket(app_of(sapi), token) as ws:
            await _subscribe(ws)
            msg = await ws.receive()
            assert msg["type"] == "error", msg
            assert msg["payload"][0]["extensions"]["code"] == "FORBIDDEN"
