"""Webhooks: registration, retries with one webhook-id, the schedule, redelivery."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from hub.enums import PrincipalKind
from hub.events.delivery import SCHEDULE
from hub.events.dispatcher import dispatch_pending
from hub.models import AuditEvent
from tests.api import Api, ClientCreds
from tests.events.helpers import USCC, bank, import_negative, register
from tests.events.receiver import Receiver

DELIVERIES = """query($w: ID!) { webhookDeliveries(webhookId: $w) { totalCount
  edges { node { id messageId attempts lastStatus deliveredAt nextAttemptAt failed
  event { type recordId record { id } } } } } }"""
REDELIVER = """mutation($d: ID!) { redeliverWebhook(deliveryId: $d) {
  messageId attempts nextAttemptAt failed } }"""


async def _monitored(api: Api, receiver: Receiver) -> tuple[ClientCreds, str, str]:
    await import_negative(api, "P-0", severity="NONE", title="行政许可")
    monitor = await bank(api, "郑州银行")
    await api.grant(USCC, monitor, "MONITORING", ["BASIC", "PENALTY"])
    hook, secret = await register(api, monitor, receiver.url)
    return monitor, hook, secret


async def _deliveries(api: Api, who: ClientCreds, hook: str) -> list[dict]:  # type: ignore[type-arg]
    who.token = api.client_token(who)  # the clock may have moved past the old one
    data = await api.data(DELIVERIES, {"w": hook}, who.token)
    return [e["node"] for e in data["webhookDeliveries"]["edges"]]


async def test_registration_shows_the_secret_once_and_is_audited(
    api: Api, receiver: Receiver
) -> None:
    monitor = await bank(api, "郑州银行")
    hook, secret = await register(api, monitor, receiver.url, ["LISTED", "DELISTED"])
    assert secret.startswith("whsec_") and len(secret) == len("whsec_") + 32
    listed = await api.data(
        "{ webhooks { id url events active } }", None, monitor.token
    )
    assert listed["webhooks"] == [
        {
            "id": hook,
            "url": receiver.url,
            "events": ["DELISTED", "LISTED"],
            "active": True,
        }
    ]
    assert "secret" not in str(listed)
    # another client neither sees nor deletes it
    other = await bank(api, "中原银行")
    assert (await api.data("{ webhooks { id } }", None, other.token))["webhooks"] == []
    code = await api.error_code(
        "mutation($id: ID!) { deleteWebhook(id: $id) { id } }",
        {"id": hook},
        other.token,
    )
    assert code == "NOT_FOUND"
    # subjects and admins have none
    for token in (
        api.subject_token(USCC),
        (await api.client(PrincipalKind.ADMIN)).token,
    ):
        assert await api.error_code("{ webhooks { id } }", None, token) == "FORBIDDEN"
    deleted = await api.data(
        "mutation($id: ID!) { deleteWebhook(id: $id) { id active } }",
        {"id": hook},
        monitor.token,
    )
    assert deleted["deleteWebhook"] == {"id": hook, "active": False}
    async with api.hub.sessionmaker() as s:
        audited = [
            (e.action, e.actor_id, (e.detail or {}).get("webhook"))
            for e in await s.scalars(
                select(AuditEvent)
                .where(AuditEvent.action.like("webhook.%"))
                .order_by(AuditEvent.n)
            )
        ]
    assert audited == [
        ("webhook.register", monitor.id, hook),
        ("webhook.delete", monitor.id, hook),
    ]


async def test_retry_after_500_keeps_the_webhook_id(
    api: Api, receiver: Receiver
) -> None:
    # given a monitoring bank whose endpoint fails once
    monitor, hook, secret = await _monitored(api, receiver)
    receiver.answers = [500]
    rid = await import_negative(api, "P-1", entity=False)

    # when the message is sent, fails, and the retry is due
    first = await dispatch_pending(api.hub)
    [state] = await _deliveries(api, monitor, hook)
    assert (first.retrying, state["attempts"], state["lastStatus"]) == (1, 1, 500)
    wait = datetime.fromisoformat(state["nextAttemptAt"]) - api.clock.now()
    assert timedelta(seconds=5) <= wait <= timedelta(seconds=5.5)
    api.clock.advance(seconds=6)
    again = await dispatch_pending(api.hub)

    # then the endpoint got the same message twice, same webhook-id, both signed
    assert again.delivered == 1
    a, b = await receiver.wait_for(2)
    assert a.webhook_id == b.webhook_id == state["messageId"]
    assert a.body == b.body
    assert a.verify(secret) == b.verify(secret)
    [state] = await _deliveries(api, monitor, hook)
    assert (state["attempts"], state["lastStatus"], state["failed"]) == (2, 200, False)
    assert state["deliveredAt"] and state["nextAttemptAt"] is None
    assert state["event"] == {
        "type": "NEW_NEGATIVE_RECORD",
        "recordId": str(rid),
        "record": {"id": str(rid)},
    }


async def test_schedule_then_failed_then_redelivered(
    api: Api, receiver: Receiver
) -> None:
    monitor, hook, secret = await _monitored(api, receiver)
    receiver.answers = [503] * (len(SCHEDULE) + 1)
    await import_negative(api, "P-1", entity=False)
    waits = []
    for attempt in range(1, len(SCHEDULE) + 2):
        await dispatch_pending(api.hub)
        [state] = await _deliveries(api, monitor, hook)
        assert state["attempts"] == attempt
        if state["nextAttemptAt"] is None:
            break
        due = datetime.fromisoformat(state["nextAttemptAt"])
        waits.append((due - api.clock.now()).total_seconds())
        api.clock.at = due
    # about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (each up to 10 % longer)
    assert len(waits) == len(SCHEDULE)
    for wait, planned in zip(waits, SCHEDULE, strict=True):
        assert planned <= wait <= planned * 1.1
    assert state["failed"] is True and state["lastStatus"] == 503
    assert receiver.count() == len(SCHEDULE) + 1

    # a redelivery is one more attempt, with the same webhook-id
    again = await api.data(REDELIVER, {"d": state["id"]}, monitor.token)
    assert again["redeliverWebhook"]["messageId"] == state["messageId"]
    assert again["redeliverWebhook"]["failed"] is False
    await dispatch_pending(api.hub)
    got = await receiver.wait_for(len(SCHEDULE) + 2)
    assert {r.webhook_id for r in got} == {state["messageId"]}
    got[-1].verify(secret)
    [state] = await _deliveries(api, monitor, hook)
    assert (state["attempts"], state["lastStatus"], state["failed"]) == (
        len(SCHEDULE) + 2,
        200,
        False,
    )


async def test_deleting_a_webhook_gives_up_its_messages(
    api: Api, receiver: Receiver
) -> None:
    monitor, hook, _ = await _monitored(api, receiver)
    receiver.answers = [500]
    await import_negative(api, "P-1", entity=False)
    await dispatch_pending(api.hub)
    await api.data(
        "mutation($id: ID!) { deleteWebhook(id: $id) { id } }",
        {"id": hook},
        monitor.token,
    )
    api.clock.advance(hours=1)
    report = await dispatch_pending(api.hub)
    [state] = await _deliveries(api, monitor, hook)
    assert (report.delivered, receiver.count()) == (0, 1)
    assert (state["failed"], state["nextAttemptAt"]) == (True, None)
    code = await api.error_code(REDELIVER, {"d": state["id"]}, monitor.token)
    assert code == "CONFLICT"


@pytest.mark.parametrize(
    "url",
    ["ftp://127.0.0.1/hook", "http://", "http://user:pw@127.0.0.1/hook", "x" * 2001],
)
async def test_malformed_urls_are_refused(sqlite_api: Api, url: str) -> None:
    monitor = await bank(sqlite_api, "郑州银行")
    code = await sqlite_api.error_code(
        """mutation($i: WebhookInput!) { registerWebhook(input: $i) { secret } }""",
        {"i": {"url": url, "events": []}},
        monitor.token,
    )
    assert code == "VALIDATION_ERROR"
