"""A new negative record, imported, reaches monitoring banks — and no one else."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from hub.events.dispatcher import dispatch_pending
from hub.models import AuditEvent, Notice, WebhookDelivery
from tests.api import Api
from tests.events.helpers import (
    USCC,
    app_of,
    bank,
    import_negative,
    recipients,
    register,
    subscribed,
)
from tests.events.receiver import Receiver
from tests.rights.ws import GraphQLSocket

SUB = """subscription { events(types: [NEW_NEGATIVE_RECORD, GRADE_CHANGED]) {
  id type uscc recordId record { id title status category } } }"""


async def test_import_reaches_monitoring_bank_by_webhook_and_subscription(
    api: Api, receiver: Receiver
) -> None:
    # given an enterprise, a bank monitoring it (PENALTY covered), a bank with
    # only a LENDING consent, and a bank monitoring only TAX — all with webhooks
    await import_negative(api, "P-0", severity="NONE", title="行政许可")
    monitor = await bank(api, "郑州银行")
    lender = await bank(api, "中原银行")
    taxonly = await bank(api, "洛阳银行")
    await api.grant(USCC, monitor, "MONITORING", ["BASIC", "PENALTY"])
    await api.grant(USCC, lender, "LENDING", ["BASIC", "PENALTY"])
    await api.grant(USCC, taxonly, "MONITORING", ["BASIC", "TAX"])
    _, secret = await register(api, monitor, receiver.url + "?who=monitor")
    await register(api, lender, receiver.url + "?who=lender")
    await register(api, taxonly, receiver.url + "?who=taxonly")
    await dispatch_pending(api.hub)  # nothing negative so far
    async with api.hub.sessionmaker() as s:
        audits_before = await s.scalar(select(func.count()).select_from(AuditEvent))

    async with GraphQLSocket(app_of(api), monitor.token) as ws:
        await ws.send({"id": "1", "type": "subscribe", "payload": {"query": SUB}})
        await subscribed(api)

        # when the importer loads a new SERIOUS penalty and the outbox is dispatched
        rid = await import_negative(api, "P-1", entity=False)
        report = await dispatch_pending(api.hub)

        # then the monitoring bank hears of it over the subscription …
        msg = await ws.receive()
        event = msg["payload"]["data"]["events"]
        assert event["type"] == "NEW_NEGATIVE_RECORD"
        assert (event["uscc"], event["recordId"]) == (USCC, str(rid))
        assert event["record"] == {
            "id": str(rid),
            "title": "罚款 20 万元",
            "status": "ACTIVE",
            "category": "PENALTY",
        }
        await ws.send({"id": "1", "type": "complete"})

    # … and by webhook, signed as the Standard Webhooks library verifies
    assert (report.delivered, report.failed) == (1, 0)
    [got] = await receiver.wait_for(1)
    assert got.query == "who=monitor"
    body = got.verify(secret)
    assert body["type"] == "NEW_NEGATIVE_RECORD"
    assert body["data"]["id"] == event["id"]
    assert body["data"]["record"]["id"] == str(rid)
    assert body["data"]["record"]["authority"] == "郑州市市场监督管理局"
    assert body["timestamp"] == body["data"]["at"]
    assert got.headers["webhook-id"].startswith("msg_")

    # nothing reached the bank without MONITORING nor the one not covering
    # PENALTY: no recipient, no message, no trace in the subject's access log
    assert set(await recipients(api, "NEW_NEGATIVE_RECORD")) == {monitor.id}
    assert receiver.count() == 1
    async with api.hub.sessionmaker() as s:
        new = list(
            await s.scalars(
                select(AuditEvent).order_by(AuditEvent.n).offset(audits_before)
            )
        )
        messages = await s.scalar(select(func.count()).select_from(WebhookDelivery))
        notices = list(await s.scalars(select(Notice)))
    assert [(e.action, e.actor_id, e.outcome, e.categories) for e in new] == [
        ("event.deliver", monitor.id, "GRANTED", ["PENALTY"])
    ]
    assert new[0].detail == {
        "event": event["id"],
        "type": "NEW_NEGATIVE_RECORD",
        "record": rid,
    }
    assert messages == 1
    # the enterprise has it in its inbox, in Chinese
    assert [n.title for n in notices] == ["新增负面信用记录"]
    assert f"编号 {rid}" in notices[0].body


async def test_a_record_not_yet_published_is_not_announced(
    api: Api, receiver: Receiver
) -> None:
    # given a monitoring bank with a webhook
    await import_negative(api, "P-0", severity="NONE", title="行政许可")
    monitor = await bank(api, "郑州银行")
    await api.grant(USCC, monitor, "MONITORING", ["BASIC", "PENALTY"])
    await register(api, monitor, receiver.url)
    # when a penalty published only from next month is imported
    later = api.clock.today().replace(day=1)
    later = later.replace(year=later.year + 1)
    await import_negative(api, "P-LATER", entity=False, publish_from=later.isoformat())
    report = await dispatch_pending(api.hub)
    # then no client hears of it (clients could not see it), the subject does
    assert report.routed == 1 and report.delivered == 0
    assert await recipients(api, "NEW_NEGATIVE_RECORD") == {}
    async with api.hub.sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(Notice)) == 1


async def test_webhook_filters_by_event_type(api: Api, receiver: Receiver) -> None:
    await import_negative(api, "P-0", severity="NONE", title="行政许可")
    monitor = await bank(api, "郑州银行")
    await api.grant(USCC, monitor, "MONITORING", ["BASIC", "PENALTY"])
    await register(api, monitor, receiver.url + "?only=grades", ["GRADE_CHANGED"])
    _, every = await register(api, monitor, receiver.url + "?all")
    await import_negative(api, "P-1", entity=False)
    await dispatch_pending(api.hub)
    [got] = await receiver.wait_for(1)
    assert got.query == "all"
    assert json.loads(got.body)["type"] == "NEW_NEGATIVE_RECORD"
    got.verify(every)
