"""The enterprise's inbox: Chinese notices of every event about it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from hub.clock import FrozenClock
from hub.db import session_scope
from hub.enums import EventType
from hub.events.dispatcher import dispatch_pending
from hub.events.notifiers import LogNotifier, NoticeOut, load_notifiers, push
from hub.events.outbox import emit
from tests.api import Api, make_api
from tests.events.helpers import USCC, app_of, bank, import_negative
from tests.rights.ws import GraphQLSocket

NOTICES = """query($u: Boolean, $after: String) {
  notices(unreadOnly: $u, first: 2, after: $after) {
    totalCount unread pageInfo { hasNextPage endCursor }
    edges { node { id title body read
      event { type uscc recordId record { id title status } grade { from to score }
              consentId } } } } }"""
READ = "mutation($ids: [ID!]!) { markNoticesRead(ids: $ids) }"


async def test_inbox_pages_reads_and_marks(api: Api) -> None:
    # given a new penalty, a grade change and a consent reminder for the enterprise
    rid = await import_negative(api, "P-1")
    grantee = await bank(api, "郑州银行")
    async with session_scope(api.hub.sessionmaker) as s:
        at = api.clock.now()
        await emit(
            s,
            EventType.GRADE_CHANGED,
            subject=USCC,
            at=at,
            grade={"from": "B", "to": "C", "score": 612},
        )
        await emit(
            s,
            EventType.CONSENT_EXPIRING,
            subject=USCC,
            at=at,
            consent_id="c-9",
            client_id=grantee.id,
        )
    await dispatch_pending(api.hub)
    subject = api.subject_token(USCC)

    # when the enterprise opens its inbox
    page = (await api.data(NOTICES, {"u": False}, subject))["notices"]
    assert (page["totalCount"], page["unread"]) == (3, 3)
    assert page["pageInfo"]["hasNextPage"] is True
    rest = (await api.data(NOTICES, {"after": page["pageInfo"]["endCursor"]}, subject))[
        "notices"
    ]
    nodes = [e["node"] for e in page["edges"] + rest["edges"]]

    # then every event is there, in Chinese, its record shown live
    by_type = {n["event"]["type"]: n for n in nodes}
    assert set(by_type) == {"NEW_NEGATIVE_RECORD", "GRADE_CHANGED", "CONSENT_EXPIRING"}
    new = by_type["NEW_NEGATIVE_RECORD"]
    assert new["title"] == "新增负面信用记录"
    assert "提出异议" in new["body"] and new["read"] is False
    assert new["event"]["record"] == {
        "id": str(rid),
        "title": "罚款 20 万元",
        "status": "ACTIVE",
    }
    grade = by_type["GRADE_CHANGED"]
    assert grade["title"] == "公共信用综合评价等级变更"
    assert grade["event"]["grade"] == {"from": "B", "to": "C", "score": 612}
    assert "由 B 级变为 C 级" in grade["body"]
    expiring = by_type["CONSENT_EXPIRING"]
    assert expiring["title"] == "授权即将到期"
    assert "郑州银行" in expiring["body"] and expiring["event"]["consentId"] == "c-9"

    # marking read counts only its own unread notices
    mine = [new["id"], grade["id"]]
    assert (await api.data(READ, {"ids": [*mine, "nope"]}, subject)) == {
        "markNoticesRead": 2
    }
    assert (await api.data(READ, {"ids": mine}, subject)) == {"markNoticesRead": 0}
    unread = (await api.data(NOTICES, {"u": True}, subject))["notices"]
    assert (unread["totalCount"], unread["unread"]) == (1, 1)
    assert [e["node"]["id"] for e in unread["edges"]] == [expiring["id"]]
    # another enterprise's token marks nothing here; clients have no inbox
    other = api.subject_token("91110000100017643K")
    assert (await api.data(READ, {"ids": [expiring["id"]]}, other)) == {
        "markNoticesRead": 0
    }
    assert await api.error_code(NOTICES, {}, grantee.token) == "FORBIDDEN"


async def test_reading_notices_with_records_is_on_the_access_log(api: Api) -> None:
    await import_negative(api, "P-1")
    await dispatch_pending(api.hub)
    subject = api.subject_token(USCC)
    await api.data(NOTICES, {}, subject)
    log = await api.data(
        """query($u: USCC!) { accessLog(uscc: $u) { edges { node {
        action actorId outcome categories } } } }""",
        {"u": USCC},
        subject,
    )
    reads = [
        e["node"]
        for e in log["accessLog"]["edges"]
        if e["node"]["action"] == "notice.read"
    ]
    assert reads == [
        {
            "action": "notice.read",
            "actorId": USCC,
            "outcome": "GRANTED",
            "categories": ["PENALTY"],
        }
    ]


class _Collecting:
    name = "collect"

    def __init__(self) -> None:
        self.got: list[NoticeOut] = []

    async def send(self, notice: NoticeOut) -> None:
        self.got.append(notice)


class _Broken:
    name = "broken"

    async def send(self, notice: NoticeOut) -> None:
        raise RuntimeError("SMS gateway down")


async def test_notifiers_get_every_notice_and_a_broken_one_harms_nothing(
    api: Api,
) -> None:
    collect = _Collecting()
    await import_negative(api, "P-1")
    report = await dispatch_pending(api.hub, notifiers=[_Broken(), collect])
    assert report.routed == 1
    assert [(n.uscc, n.title) for n in collect.got] == [(USCC, "新增负面信用记录")]


def test_the_builtin_notifier_comes_through_the_entry_point_group() -> None:
    names = {type(n).__name__: n.name for n in load_notifiers()}
    assert names.get("LogNotifier") == "log"


async def test_log_notifier_writes_the_notice(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG", logger="hub.notices")
    await push([LogNotifier()], [NoticeOut("n1", USCC, "e1", "授权已生效", "…")])
    assert "授权已生效" in caplog.text


@pytest.fixture
async def redis_api(
    db_url: str, redis_url: str, clock: FrozenClock, tmp_path: Any
) -> AsyncIterator[Api]:
    a, http = await make_api(db_url, clock, tmp_path, redis_url=redis_url)
    yield a
    await http.aclose()
    await a.hub.aclose()


async def test_events_travel_over_redis_pubsub(redis_api: Api) -> None:
    api = redis_api
    await import_negative(api, "P-0", severity="NONE", title="行政许可")
    monitor = await bank(api, "郑州银行")
    await api.grant(USCC, monitor, "MONITORING", ["BASIC", "PENALTY"])
    redis = api.hub.backends.redis
    assert redis is not None
    async with GraphQLSocket(app_of(api), monitor.token) as ws:
        await ws.send(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": "subscription { events { type recordId } }"},
            }
        )
        for _ in range(2000):
            [(_, listeners)] = await redis.pubsub_numsub("hub:bus:events")
            if listeners:
                break
            await asyncio.sleep(0.005)
        rid = await import_negative(api, "P-1", entity=False)
        await dispatch_pending(api.hub)
        msg = await ws.receive()
        await ws.send({"id": "1", "type": "complete"})
    assert msg["payload"]["data"]["events"] == {
        "type": "NEW_NEGATIVE_RECORD",
        "recordId": str(rid),
    }
