"""Alert delivery asks the door first, then loads the record under the grant."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, select

from hub.alerts import NEW_NEGATIVE_RECORD, alert_message, deliver
from hub.enums import PrincipalKind
from hub.models import AuditEvent
from tests.api import Api, ClientCreds
from tests.rights.helpers import OTHER, USCC, negative, principal

ACTION = "alert.deliver"


@contextmanager
def statements(api: Api) -> Iterator[list[str]]:
    """The SQL the hub runs meanwhile (observed on the real engine)."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        seen.append(sql)

    engine = api.hub.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _touches_records(seen: list[str]) -> bool:
    return any("credit_records" in sql for sql in seen)


async def _alert_events(api: Api, uscc: str = USCC) -> list[tuple[str, list[str], Any]]:
    async with api.hub.sessionmaker() as s:
        rows = await s.execute(
            select(AuditEvent.outcome, AuditEvent.categories, AuditEvent.detail)
            .where(AuditEvent.subject == uscc, AuditEvent.action == ACTION)
            .order_by(AuditEvent.n)
        )
        return [(o, list(c or []), d) for o, c, d in rows.all()]


async def _bank(api: Api, categories: list[str] | None = None) -> ClientCreds:
    bank = await api.client(PrincipalKind.BANK)
    if categories is not None:
        await api.grant(USCC, bank, "MONITORING", categories)
    return bank


async def _deliver(api: Api, bank: ClientCreds, rid: int, category: str) -> Any:
    message = alert_message(api.hub, USCC, rid, NEW_NEGATIVE_RECORD, category=category)
    return await deliver(api.hub, principal(bank), message)


async def test_without_monitoring_consent_no_record_is_loaded(rapi: Api) -> None:
    # given a record of USCC and a bank USCC never consented to
    api = rapi
    await api.entity(USCC)
    rid = await negative(api, "P-1")
    bank = await _bank(api)

    # when an alert about that record reaches the bank's subscription
    with statements(api) as seen:
        alert = await _deliver(api, bank, rid, "PENALTY")

    # then nothing is delivered, the record was never read, no trace is left
    assert alert is None
    assert seen and not _touches_records(seen)
    assert await _alert_events(api) == []


async def test_the_door_refuses_before_the_record_is_loaded(rapi: Api) -> None:
    # given a bank whose MONITORING consent covers PENALTY but not TAX
    api = rapi
    await api.entity(USCC)
    tax = await api.record(USCC, "T-1", severity="MINOR")
    bank = await _bank(api, ["BASIC", "PENALTY"])

    # when a TAX record's alert comes
    with statements(api) as seen:
        alert = await _deliver(api, bank, tax, "TAX")

    # then the door refused it (audited) and the record was never read
    assert alert is None
    assert seen and not _touches_records(seen)
    assert await _alert_events(api) == [
        (
            "DENIED:CONSENT_REQUIRED",
            ["TAX"],
            {
                "record": tax,
                "reason": NEW_NEGATIVE_RECORD,
                "requested": "alert.deliver",
                "refusal": "MISSING_CATEGORIES",
            },
        )
    ]
    # (the door decides even for an id naming no record at all: nothing of
    # the record is known before it has)
    assert await _deliver(api, bank, 999999, "TAX") is None
    assert [o for o, *_ in await _alert_events(api)] == ["DENIED:CONSENT_REQUIRED"] * 2


async def test_the_record_is_loaded_only_within_the_grant(rapi: Api) -> None:
    # given a consent covering PENALTY, a TAX record of USCC and a PENALTY
    # record of another subject
    api = rapi
    await api.entity(USCC)
    await api.entity(OTHER, name="北京某公司")
    tax = await api.record(USCC, "T-1", severity="MINOR")
    theirs = await negative(api, "P-9", uscc=OTHER)
    mine = await negative(api, "P-1")
    bank = await _bank(api, ["BASIC", "PENALTY"])

    # when alerts misname a record's category, or name another subject's
    # record under USCC
    assert await _deliver(api, bank, tax, "PENALTY") is None
    assert await _deliver(api, bank, theirs, "PENALTY") is None
    # then the door's grant (PENALTY of USCC) loads neither, nothing is shown
    # and the grants went with their units of work
    assert await _alert_events(api) == []
    assert await _alert_events(api, OTHER) == []

    # while a true alert is delivered, and audited once
    alert = await _deliver(api, bank, mine, "PENALTY")
    assert alert is not None
    assert (alert.uscc, alert.record.id, alert.record.category) == (
        USCC,
        mine,
        "PENALTY",
    )
    assert await _alert_events(api) == [
        ("GRANTED", ["PENALTY"], {"record": mine, "reason": NEW_NEGATIVE_RECORD})
    ]


async def test_messages_without_a_category_are_skipped(sqlite_rapi: Api) -> None:
    # given a consenting bank
    api = sqlite_rapi
    await api.entity(USCC)
    rid = await negative(api, "P-1")
    bank = await _bank(api, ["BASIC", "PENALTY"])
    good = alert_message(api.hub, USCC, rid, NEW_NEGATIVE_RECORD, category="PENALTY")

    # when a message names no category, or one that does not exist
    for bad in (
        {**good, "category": "X"},
        {k: good[k] for k in good if k != "category"},
    ):
        # then the door cannot be asked: nothing is delivered, nothing loaded
        with statements(api) as seen:
            assert await deliver(api.hub, principal(bank), bad) is None
        assert seen == []
    assert await _alert_events(api) == []
