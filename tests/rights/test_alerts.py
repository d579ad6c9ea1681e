"""riskAlerts over the real graphql-transport-ws protocol, consent checked per alert."""

from __future__ import annotations

import asyncio
from datetime import date

from hub.alerts import CHANNEL, NEW_NEGATIVE_RECORD, publish_alert
from hub.enums import PrincipalKind
from hub.events.dispatcher import dispatch_pending
from tests.api import Api
from tests.rights.helpers import OTHER, USCC, admin, audit_actions, negative
from tests.rights.ws import GraphQLSocket

SUB = """subscription { riskAlerts { uscc at reason
  record { id kind severity status } } }"""


async def _subscribed(api: Api, n: int) -> None:
    # Wait (cooperatively) until the server-side generator has subscribed.
    for _ in range(1000):
        if len(api.hub.pubsub._subscribers.get(CHANNEL, ())) >= n:
            return
        await asyncio.sleep(0.005)
    raise AssertionError("subscription never started")


def _app(api: Api):  # type: ignore[no-untyped-def]
    return api.http._transport.app  # type: ignore[attr-defined]


async def test_alerts_only_for_consenting_subjects(sqlite_rapi: Api) -> None:
    api = sqlite_rapi
    await api.entity(USCC)
    await api.entity(OTHER, name="北京某公司")
    bank = await api.client(PrincipalKind.BANK)
    monitoring = await api.grant(USCC, bank, "MONITORING", ["BASIC", "PENALTY"])
    adm = await admin(api)
    theirs = await negative(api, "O-1", uscc=OTHER)
    mine = await negative(api, "M-1")
    old = await negative(api, "M-0", severity="MINOR", decided=date(2026, 1, 5))
    tax = await api.record(USCC, "T-9", severity="MINOR")  # TAX: not consented

    async with GraphQLSocket(_app(api), bank.token) as ws:
        await ws.send({"id": "1", "type": "subscribe", "payload": {"query": SUB}})
        await _subscribed(api, 1)

        # not consented (another subject; an uncovered category): skipped
        await publish_alert(
            api.hub, OTHER, theirs, NEW_NEGATIVE_RECORD, category="PENALTY"
        )
        await publish_alert(api.hub, USCC, tax, NEW_NEGATIVE_RECORD, category="TAX")
        await publish_alert(
            api.hub, USCC, mine, NEW_NEGATIVE_RECORD, category="PENALTY"
        )
        msg = await ws.receive()
        assert msg["type"] == "next" and msg["id"] == "1"
        alert = msg["payload"]["data"]["riskAlerts"]
        assert alert["uscc"] == USCC and alert["reason"] == "NEW_NEGATIVE_RECORD"
        assert alert["record"] == {
            "id": str(mine),
            "kind": "ADMIN_PENALTY",
            "severity": "SERIOUS",
            "status": "ACTIVE",
        }
        assert alert["at"] == "2026-11-23T09:00:00+00:00"

        # an approved repair is announced too
        app_ = await api.data(
            """mutation($i: ApplyRepairInput!) { applyRepair(input: $i) { id } }""",
            {"i": {"recordId": str(old), "method": "report", "evidence": "信用报告"}},
            api.subject_token(USCC),
        )
        await api.data(
            """mutation($id: ID!) { decideRepair(id: $id, approve: true,
            note: "同意") { status } }""",
            {"id": app_["applyRepair"]["id"]},
            adm.token,
        )
        await dispatch_pending(api.hub)  # the outbox's dispatcher routes it
        alert = (await ws.receive())["payload"]["data"]["riskAlerts"]
        assert (alert["reason"], alert["record"]["id"], alert["record"]["status"]) == (
            "RECORD_REPAIRED",
            str(old),
            "REPAIRED",
        )

        # once the consent is revoked, nothing more about that subject
        await api.data(
            "mutation($id: ID!) { revokeConsent(id: $id) { status } }",
            {"id": monitoring},
            api.subject_token(USCC),
        )
        await publish_alert(
            api.hub, USCC, mine, NEW_NEGATIVE_RECORD, category="PENALTY"
        )
        await api.grant(OTHER, bank, "MONITORING", ["PENALTY"])
        await publish_alert(
            api.hub, OTHER, theirs, NEW_NEGATIVE_RECORD, category="PENALTY"
        )
        alert = (await ws.receive())["payload"]["data"]["riskAlerts"]
        assert (alert["uscc"], alert["record"]["id"]) == (OTHER, str(theirs))
        await ws.send({"id": "1", "type": "complete"})

    # each delivery is on the subject's access log; the uncovered TAX alert
    # was refused by the door (and audited), unconsented subjects left no trace
    log = [(a, o, who) for a, o, who in await audit_actions(api) if "alert" in a]
    assert log == [
        ("alert.deliver", "DENIED:CONSENT_REQUIRED", bank.id),
        ("alert.deliver", "GRANTED", bank.id),
        ("alert.deliver", "GRANTED", bank.id),
    ]
    other_log = [a for a, *_ in await audit_actions(api, OTHER) if "alert" in a]
    assert other_log == ["alert.deliver"]


async def test_only_monitoring_banks_may_subscribe(sqlite_rapi: Api) -> None:
    api = sqlite_rapi
    merchant = await api.client(PrincipalKind.MERCHANT)
    for token, code in (
        (api.subject_token(USCC), "FORBIDDEN"),
        (merchant.token, "FORBIDDEN"),
        (None, "UNAUTHENTICATED"),
    ):
        async with GraphQLSocket(_app(api), token) as ws:
            await ws.send({"id": "1", "type": "subscribe", "payload": {"query": SUB}})
            msg = await ws.receive()
            assert msg["type"] == "error", msg
            assert [e["extensions"]["code"] for e in msg["payload"]] == [code]
