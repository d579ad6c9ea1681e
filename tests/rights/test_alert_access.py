"""riskAlerts: what a delivery shows, and how long a subscriber stays trusted."""

from __future__ import annotations

from datetime import date
from typing import Any

from hub.alerts import NEW_NEGATIVE_RECORD, RECORD_REPAIRED, publish_alert
from hub.auth.clients import client_service
from hub.auth.principal import SYSTEM
from hub.db import session_scope
from hub.enums import PrincipalKind
from tests.api import Api, ClientCreds
from tests.rights.helpers import USCC, audit_actions, negative
from tests.rights.test_alerts import SUB, _app, _subscribed
from tests.rights.ws import GraphQLSocket

FULL = """subscription { riskAlerts { reason record { id category kind severity
  status title authority occurredOn decidedOn publishFrom publishUntil source
  details } } }"""


async def _bank(api: Api) -> ClientCreds:
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    await api.grant(USCC, bank, "MONITORING", ["BASIC", "PENALTY"])
    return bank


async def _subscribe(api: Api, ws: GraphQLSocket, query: str = SUB) -> None:
    await ws.send({"id": "1", "type": "subscribe", "payload": {"query": query}})
    await _subscribed(api, 1)


async def _alert(ws: GraphQLSocket) -> dict[str, Any]:
    msg = await ws.receive()
    assert msg["type"] == "next" and msg["id"] == "1", msg
    assert "errors" not in msg["payload"], msg
    return dict(msg["payload"]["data"]["riskAlerts"])


async def _ends_unauthenticated(ws: GraphQLSocket, id: str = "1") -> str:
    """The subscription ends with one UNAUTHENTICATED error; its message."""
    msg = await ws.receive()
    assert msg["type"] == "next" and msg["id"] == id, msg
    assert msg["payload"]["data"] is None, msg
    errors = msg["payload"]["errors"]
    assert [e["extensions"]["code"] for e in errors] == ["UNAUTHENTICATED"]
    assert await ws.receive() == {"id": id, "type": "complete"}
    return str(errors[0]["message"])


async def test_only_shared_records_and_redacted_repairs(sqlite_rapi: Api) -> None:
    # given a monitoring bank and records clients may not see
    api = sqlite_rapi
    bank = await _bank(api)
    expired = await negative(api, "P-1", publish_until=date(2026, 11, 22))
    future = await negative(api, "P-2", publish_from=date(2026, 11, 24))
    revoked = await negative(api, "P-3", status="REVOKED")
    shown = await negative(
        api, "P-4", status="DISPUTED", publish_until=date(2026, 11, 23)
    )
    repaired = await negative(
        api, "P-5", status="REPAIRED", authority="某区市场监督管理局"
    )
    still_active = await negative(api, "P-6")

    async with GraphQLSocket(_app(api), bank.token) as ws:
        await _subscribe(api, ws, FULL)
        # when alerts name records outside the client view, or a "repair" of
        # a record that is not repaired
        for rid in (expired, future, revoked, repaired):
            await publish_alert(
                api.hub, USCC, rid, NEW_NEGATIVE_RECORD, category="PENALTY"
            )
        await publish_alert(
            api.hub, USCC, still_active, RECORD_REPAIRED, category="PENALTY"
        )
        await publish_alert(
            api.hub, USCC, shown, NEW_NEGATIVE_RECORD, category="PENALTY"
        )
        await publish_alert(
            api.hub, USCC, repaired, RECORD_REPAIRED, category="PENALTY"
        )

        # then only the DISPUTED record inside its window arrives, in full
        first = await _alert(ws)
        assert first["reason"] == "NEW_NEGATIVE_RECORD"
        assert (first["record"]["id"], first["record"]["status"]) == (
            str(shown),
            "DISPUTED",
        )
        assert first["record"]["details"] == {"amount": 50000}
        # and the repair arrives as the bare fact of it
        second = await _alert(ws)
        assert second == {
            "reason": "RECORD_REPAIRED",
            "record": {
                "id": str(repaired),
                "category": "PENALTY",
                "kind": "ADMIN_PENALTY",
                "severity": "SERIOUS",
                "status": "REPAIRED",
                "title": "信用记录已修复",
                "authority": None,
                "occurredOn": None,
                "decidedOn": "2026-10-24",
                "publishFrom": None,
                "publishUntil": None,
                "source": "market-regulation",
                "details": None,
            },
        }
        await ws.send({"id": "1", "type": "complete"})

    # skipped alerts never reached the door: two deliveries, no denials
    log = [(a, o) for a, o, _ in await audit_actions(api) if a.startswith("alert")]
    assert log == [("alert.deliver", "GRANTED"), ("alert.deliver", "GRANTED")]


async def test_subscription_ends_when_the_token_expires(sqlite_rapi: Api) -> None:
    # given a bank subscribed with a token sent in connection_init
    api = sqlite_rapi
    bank = await _bank(api)
    rid = await negative(api, "P-1")
    init = {"Authorization": f"Bearer {bank.token}"}
    async with GraphQLSocket(_app(api), None, init) as ws:
        await _subscribe(api, ws)
        await publish_alert(api.hub, USCC, rid, NEW_NEGATIVE_RECORD, category="PENALTY")
        assert (await _alert(ws))["record"]["id"] == str(rid)

        # when its token expires (beyond the 5 s leeway) and another alert comes
        api.clock.advance(seconds=api.hub.settings.token_ttl + 6)
        await publish_alert(api.hub, USCC, rid, NEW_NEGATIVE_RECORD, category="PENALTY")

        # then the subscription ends with UNAUTHENTICATED and delivers nothing
        assert "expired" in await _ends_unauthenticated(ws)
        # and the socket, older than the token, cannot start a new one
        await ws.send({"id": "2", "type": "subscribe", "payload": {"query": SUB}})
        assert "expired" in await _ends_unauthenticated(ws, "2")
    delivered = [a for a, o, _ in await audit_actions(api) if a == "alert.deliver"]
    assert delivered == ["alert.deliver"]


async def test_subscription_ends_when_the_client_is_suspended(rapi: Api) -> None:
    # given a subscribed bank
    api = rapi
    bank = await _bank(api)
    rid = await negative(api, "P-1")
    async with GraphQLSocket(_app(api), bank.token) as ws:
        await _subscribe(api, ws)
        await publish_alert(api.hub, USCC, rid, NEW_NEGATIVE_RECORD, category="PENALTY")
        assert (await _alert(ws))["record"]["id"] == str(rid)

        # when an administrator suspends it
        async with session_scope(api.hub.sessionmaker) as s:
            await client_service.suspend(
                s, actor=SYSTEM, clock=api.clock, id=bank.id, cache=api.hub.cache
            )
        await publish_alert(api.hub, USCC, rid, NEW_NEGATIVE_RECORD, category="PENALTY")

        # then its subscription ends at the next message
        assert "suspended" in await _ends_unauthenticated(ws)
    delivered = [a for a, o, _ in await audit_actions(api) if a == "alert.deliver"]
    assert delivered == ["alert.deliver"]


async def test_credentials_in_connection_init(sqlite_rapi: Api) -> None:
    # given a bank that sends its token only in the connection_init payload
    api = sqlite_rapi
    bank = await _bank(api)
    rid = await negative(api, "P-1")
    for init in ({"authorization": f"Bearer {bank.token}"}, {"token": bank.token}):
        async with GraphQLSocket(_app(api), None, init) as ws:
            await _subscribe(api, ws)
            await publish_alert(
                api.hub, USCC, rid, NEW_NEGATIVE_RECORD, category="PENALTY"
            )
            # then it is authenticated and receives its alerts
            assert (await _alert(ws))["record"]["id"] == str(rid)
            await ws.send({"id": "1", "type": "complete"})

    # a bad credential in connection_init is refused like a bad header
    for init in (
        {"token": "not-a-token"},
        {"Authorization": "Basic abc"},
        {"Authorization": 42},
        {},
    ):
        async with GraphQLSocket(_app(api), None, init) as ws:
            await ws.send({"id": "1", "type": "subscribe", "payload": {"query": SUB}})
            msg = await ws.receive()
            assert msg["type"] == "error", msg
            assert [e["extensions"]["code"] for e in msg["payload"]] == [
                "UNAUTHENTICATED"
            ]
    # and connection_init credentials replace the upgrade request's header
    merchant = await api.client(PrincipalKind.MERCHANT)
    async with GraphQLSocket(_app(api), bank.token, {"token": merchant.token}) as ws:
        await ws.send({"id": "1", "type": "subscribe", "payload": {"query": SUB}})
        msg = await ws.receive()
        assert [e["extensions"]["code"] for e in msg["payload"]] == ["FORBIDDEN"]
