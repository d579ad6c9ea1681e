"""The outbox itself, and the sources besides import: maintenance, grades."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from hub.db import session_scope
from hub.enums import EventType
from hub.events.dispatcher import dispatch_pending
from hub.events.outbox import emit
from hub.models import OutboxEvent, WebhookDelivery
from hub.rights.maintenance import maintain
from tests.api import Api
from tests.events.helpers import USCC, bank, import_negative, recipients, register
from tests.events.receiver import Receiver
from tests.rights.helpers import negative
from tests.rights.helpers import score as evaluate


async def _outbox(api: Api) -> list[tuple[str, int | None]]:
    async with api.hub.sessionmaker() as s:
        rows = await s.scalars(select(OutboxEvent).order_by(OutboxEvent.n))
        # Consents the tests set up are announced too; these are the sources'.
        return [
            (e.type, e.record_id) for e in rows if not e.type.startswith("CONSENT_")
        ]


async def test_events_commit_with_their_change_or_not_at_all(api: Api) -> None:
    await api.entity(USCC)
    with pytest.raises(RuntimeError):
        async with session_scope(api.hub.sessionmaker) as s:
            await emit(
                s,
                EventType.NEW_NEGATIVE_RECORD,
                subject=USCC,
                at=api.clock.now(),
                record_id=1,
                category="PENALTY",
            )
            raise RuntimeError("the change failed")
    assert await _outbox(api) == []
    # writers racing to announce one fact write one event
    for _ in range(2):
        async with session_scope(api.hub.sessionmaker) as s:
            await emit(
                s,
                EventType.GRADE_CHANGED,
                subject=USCC,
                at=api.clock.now(),
                grade={"from": "B", "to": "C", "score": 600},
                dedupe_key="g-1",
            )
    assert await _outbox(api) == [("GRADE_CHANGED", None)]
    with pytest.raises(ValueError):
        async with session_scope(api.hub.sessionmaker) as s:
            await emit(s, EventType.RECORD_CORRECTED, subject=USCC, at=api.clock.now())


async def test_maintenance_announces_expiries_and_ended_listings(
    api: Api, receiver: Receiver
) -> None:
    # given a monitored enterprise with a penalty whose window ended yesterday
    # and a 失信被执行人 listing older than its 2-year term
    await api.entity(USCC)
    monitor = await bank(api, "郑州银行")
    await api.grant(USCC, monitor, "MONITORING", ["BASIC", "PENALTY"])
    _, secret = await register(api, monitor, receiver.url)
    today = api.clock.today()
    over = await negative(
        api,
        "OVER",
        severity="MINOR",
        decided=today - timedelta(days=80),
        publish_until=today - timedelta(days=1),
    )
    await api.listing(USCC, since=date(today.year - 3, 1, 1))

    # when maintenance runs (as from cron, without a server) and, later, a
    # dispatcher finds its events in the outbox
    await maintain(api.hub)
    assert sorted(t for t, _ in await _outbox(api)) == ["DELISTED", "RECORD_EXPIRED"]
    await dispatch_pending(api.hub)

    # then the monitoring bank hears of both, the expired record without content
    expired = (await recipients(api, "RECORD_EXPIRED"))[monitor.id]["record"]
    assert (expired["id"], expired["status"], expired["title"]) == (
        str(over),
        "EXPIRED",
        "信用记录公示期满",
    )
    assert expired["details"] is None
    ended = (await recipients(api, "DELISTED"))[monitor.id]["list"]
    assert (ended["kind"], ended["listName"], ended["until"]) == (
        "BLACK",
        "失信被执行人名单",
        date(today.year - 1, 1, 1).isoformat(),
    )
    types = sorted(r.verify(secret)["type"] for r in await receiver.wait_for(2))
    assert types == ["DELISTED", "RECORD_EXPIRED"]


async def test_a_changed_grade_reaches_banks_watching_the_evaluation(
    api: Api,
) -> None:
    # given an evaluated enterprise watched by a bank covering EVALUATION and
    # one that is not
    await import_negative(api, "P-0", severity="NONE", title="行政许可")
    before = await evaluate(api)
    grades = api.hub.settings.grade_thresholds
    assert before >= grades["C"], "the test needs a grade above D to start from"
    watcher = await bank(api, "郑州银行")
    blind = await bank(api, "中原银行")
    await api.grant(USCC, watcher, "MONITORING", ["BASIC", "PENALTY", "EVALUATION"])
    await api.grant(USCC, blind, "MONITORING", ["BASIC", "PENALTY"])
    await dispatch_pending(api.hub)

    # when a SERIOUS penalty arrives (which caps the grade at D) and the
    # outbox is dispatched: the record's event, then the grade's
    await import_negative(api, "P-1", entity=False)
    await dispatch_pending(api.hub)

    # then the evaluation was recomputed and the change announced once
    async with api.hub.sessionmaker() as s:
        changes = await s.scalar(
            select(func.count()).where(OutboxEvent.type == "GRADE_CHANGED")
        )
    assert changes == 1
    told = await recipients(api, "GRADE_CHANGED")
    assert set(told) == {watcher.id}
    grade = told[watcher.id]["grade"]
    assert grade["to"] in ("D", "E") and grade["from"] in ("A", "B", "C")
    assert grade["score"] == await evaluate(api)


async def test_metrics_count_written_and_delivered(
    api: Api, receiver: Receiver
) -> None:
    await import_negative(api, "P-0", severity="NONE", title="行政许可")
    monitor = await bank(api, "郑州银行")
    await api.grant(USCC, monitor, "MONITORING", ["BASIC", "PENALTY"])
    await register(api, monitor, receiver.url)
    await import_negative(api, "P-1", entity=False)
    await dispatch_pending(api.hub)
    text = (await api.http.get("/metrics")).text
    assert 'hub_events_written_total{type="NEW_NEGATIVE_RECORD"}' in text
    assert 'hub_events_delivered_total{channel="webhook",outcome="delivered"}' in text
    assert 'hub_events_delivered_total{channel="notice",outcome="delivered"}' in text
    assert 'hub_events_oldest_undelivered_seconds{stage="outbox"} 0.0' in text
    assert 'hub_events_oldest_undelivered_seconds{stage="webhook"} 0.0' in text


async def test_deleted_records_leave_no_copies_in_events(
    api: Api, receiver: Receiver
) -> None:
    # given a negative record whose act ended over 5 years ago, announced to a
    # monitoring bank by webhook before maintenance deleted it
    await api.entity(USCC)
    monitor = await bank(api, "郑州银行")
    await api.grant(USCC, monitor, "MONITORING", ["BASIC", "PENALTY"])
    await register(api, monitor, receiver.url)
    receiver.answers = [500]  # its message still waits for a retry
    old = await negative(
        api,
        "OLD",
        severity="ORDINARY",
        decided=date(2021, 6, 1),
        ended_on=date(2021, 11, 1),
    )
    async with session_scope(api.hub.sessionmaker) as s:
        await emit(
            s,
            EventType.NEW_NEGATIVE_RECORD,
            subject=USCC,
            at=api.clock.now(),
            record_id=old,
            category="PENALTY",
        )
    await dispatch_pending(api.hub)
    assert (await recipients(api, "NEW_NEGATIVE_RECORD"))[monitor.id]["record"]
    # when maintenance deletes it (征信业管理条例 Art 16)
    report = await maintain(api.hub)
    assert report.records_deleted == 1
    # then what was sent about it keeps the fact and the id, not the content
    payload = (await recipients(api, "NEW_NEGATIVE_RECORD"))[monitor.id]
    assert (payload["record"], payload["recordId"]) == (None, str(old))
    async with api.hub.sessionmaker() as s:
        body = await s.scalar(select(WebhookDelivery.body))
    assert body is not None and "罚款" not in body and str(old) in body
