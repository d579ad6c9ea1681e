"""Maintenance: windows, retention, listing terms, deadlines — once, idempotently."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime

import typer
from sqlalchemy import func, select
from typer.testing import CliRunner

from hub.alerts import CHANNEL
from hub.audit.chain import seal_pending
from hub.audit.verify import verify_chain
from hub.db import create_engine, make_sessionmaker, migrate, session_scope
from hub.enums import PrincipalKind
from hub.events.dispatcher import dispatch_pending
from hub.models import (
    AuditEvent,
    Commitment,
    CreditRecord,
    Entity,
    ListMembership,
    Objection,
)
from hub.rights.maintenance import maintain
from hub.root.commands.rights import register
from tests.api import Api
from tests.rights.helpers import USCC, count, negative, record_row, score

FILE = """mutation($i: FileObjectionInput!) { fileObjection(input: $i) { id } }"""
MAKE = """mutation { makeCommitment(kind: CERTIFICATION_NOTICE,
  content: "补交无犯罪证明", dueOn: "2026-11-22") { id } }"""
ZERO = {
    "commitments_breached": 0,
    "records_deleted": 0,
    "records_expired": 0,
    "lists_expired": 0,
    "objections_overdue": 0,
    "list_objections_overdue": 0,
    "consents_expired": 0,
    "consent_reminders": 0,
    "consent_requests_expired": 0,
}


async def _statuses(api: Api) -> dict[str, str]:
    async with api.hub.sessionmaker() as s:
        rows = await s.execute(select(CreditRecord.source_id, CreditRecord.status))
        return dict(rows.all())  # type: ignore[arg-type]


async def test_maintenance_applies_time_once(rapi: Api) -> None:
    api = rapi
    # given, on 2026-10-30: an objection (due 24:00 of Thursday 11-19) and a
    # commitment due 2026-11-22
    api.clock.at = datetime(2026, 10, 30, 1, 0, tzinfo=UTC)
    await api.entity(USCC)
    late = await negative(api, "OBJ", severity="MINOR", decided=date(2026, 10, 1))
    await api.data(
        FILE,
        {"i": {"recordId": str(late), "reason": "金额有误"}},
        api.subject_token(USCC),
    )
    await api.data(MAKE, None, api.subject_token(USCC))
    # a 5-year-old act with an objection on it: deleted with its objection
    old = await negative(
        api,
        "OLD",
        severity="ORDINARY",
        decided=date(2021, 6, 1),
        ended_on=date(2021, 11, 1),
    )
    await api.data(
        FILE, {"i": {"recordId": str(old), "reason": "已超期"}}, api.subject_token(USCC)
    )
    # and, on 2026-11-23 (China):
    api.clock.at = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    await negative(
        api,
        "KEEP-5Y",
        severity="ORDINARY",
        decided=date(2021, 6, 1),
        ended_on=date(2021, 11, 23),
    )  # retention ends today
    await api.record(
        USCC, "POSITIVE", occurred_on=date(2010, 1, 1), decided_on=date(2010, 1, 2)
    )  # not negative: kept
    await negative(
        api,
        "WINDOW-OVER",
        severity="MINOR",
        decided=date(2026, 8, 1),
        publish_until=date(2026, 11, 22),
    )
    await negative(
        api,
        "WINDOW-LAST-DAY",
        severity="MINOR",
        decided=date(2026, 8, 1),
        publish_until=date(2026, 11, 23),
    )
    await negative(
        api,
        "DEBTOR-2Y",
        category="JUDICIAL",
        kind="DISHONEST_JUDGMENT_DEBTOR",
        decided=date(2024, 11, 22),
    )
    await negative(
        api,
        "DEBTOR-EXTENDED",
        category="JUDICIAL",
        kind="DISHONEST_JUDGMENT_DEBTOR",
        decided=date(2024, 11, 1),
        details={"until": "2027-11-01"},
    )
    # a live record without an end date, five years after it happened: a
    # dishonest debtor who can pay and will not (SPC 2017 Art 1 (一)) — no
    # fixed term, never deleted while the act goes on, and reported
    live = await negative(
        api,
        "DEBTOR-NO-TERM",
        category="JUDICIAL",
        kind="DISHONEST_JUDGMENT_DEBTOR",
        decided=date(2020, 3, 1),
        details={"circumstance": "有履行能力而拒不履行生效法律文书确定义务"},
    )
    # an expired record without an end date counts from when it happened
    await negative(
        api,
        "EXPIRED-NO-END",
        severity="ORDINARY",
        decided=date(2021, 6, 1),
        status="EXPIRED",
        publish_until=date(2022, 6, 1),
    )
    await api.listing(USCC, since=date(2024, 11, 22))
    await api.listing(USCC, since=date(2024, 11, 23), basis="（2024）豫01执9号")
    await api.listing(
        USCC,
        since=date(2020, 3, 1),
        basis="（2020）豫01执1号",
        source="market-regulation",
        record_source="market-regulation",
        record_source_id="DEBTOR-NO-TERM",
    )
    async with api.hub.sessionmaker() as s:
        events_before = await s.scalar(select(func.max(AuditEvent.n)))
    async with api.hub.sessionmaker() as s:
        version = await s.scalar(select(Entity.data_version))

    async with api.hub.pubsub.subscribe(CHANNEL) as alerts:
        # when maintenance runs
        report = await maintain(api.hub)
        await dispatch_pending(api.hub)  # the outbox's dispatcher routes it
        # then the breach was alerted
        msg = await asyncio.wait_for(anext(alerts), 10)

    assert report.as_json() == {
        "today": "2026-11-23",
        "commitments_breached": 1,
        "records_deleted": 2,
        "records_expired": 2,
        "lists_expired": 1,
        "objections_overdue": 1,
        "list_objections_overdue": 0,
        "records_without_end": [live],
        "consents_expired": 0,
        "consent_reminders": 0,
        "consent_requests_expired": 0,
    }
    st = await _statuses(api)
    assert "OLD" not in st and "EXPIRED-NO-END" not in st
    assert st["DEBTOR-NO-TERM"] == "ACTIVE"
    assert {
        k: st[k]
        for k in (
            "OBJ",
            "KEEP-5Y",
            "POSITIVE",
            "WINDOW-OVER",
            "WINDOW-LAST-DAY",
            "DEBTOR-2Y",
            "DEBTOR-EXTENDED",
        )
    } == {
        "OBJ": "DISPUTED",
        "KEEP-5Y": "ACTIVE",
        "POSITIVE": "ACTIVE",
        "WINDOW-OVER": "EXPIRED",
        "WINDOW-LAST-DAY": "ACTIVE",
        "DEBTOR-2Y": "EXPIRED",
        "DEBTOR-EXTENDED": "ACTIVE",
    }
    async with api.hub.sessionmaker() as s:
        objs = {o.record_id: o.overdue for o in await s.scalars(select(Objection))}
        assert objs == {late: True}
        c = (await s.scalars(select(Commitment))).one()
        lists = sorted(
            (m.since, m.until, m.status)
            for m in await s.scalars(select(ListMembership))
        )
        assert await s.scalar(select(Entity.data_version)) > (version or 0)
    assert lists == [
        (date(2020, 3, 1), None, "ACTIVE"),
        (date(2024, 11, 22), date(2026, 11, 22), "ENDED"),
        (date(2024, 11, 23), None, "ACTIVE"),
    ]
    assert c.status == "BREACHED"
    breach = await record_row(api, c.breach_record_id or 0)
    assert breach is not None
    assert (
        breach.category,
        breach.kind,
        breach.severity,
        breach.source,
        breach.source_id,
        breach.status,
    ) == (
        "COMMITMENT",
        "COMMITMENT_BREACH",
        "ORDINARY",
        "credit-commitment",
        c.id,
        "ACTIVE",
    )
    assert (breach.decided_on, breach.publish_until) == (
        date(2026, 11, 23),
        date(2027, 11, 23),
    )
    assert msg["uscc"] == USCC and msg["record_id"] == breach.id
    assert msg["reason"] == "NEW_NEGATIVE_RECORD"

    # the audit trail: per-subject events by 'system', no record content, intact
    async with api.hub.sessionmaker() as s:
        new = list(
            await s.scalars(
                select(AuditEvent)
                .where(AuditEvent.n > events_before)
                .order_by(AuditEvent.n)
            )
        )
        assert {e.actor_id for e in new} == {"system"}
        assert sorted(e.action for e in new) == sorted(
            [
                "commitment.breach",
                "record.delete",
                "record.delete",
                "record.expire",
                "record.expire",
                "list.end",
                "objection.overdue",
                "maintenance.run",
            ]
        )
        deleted = next(
            e for e in new if e.action == "record.delete" and e.detail["record"] == old
        )
        assert deleted.subject == USCC and deleted.detail == {
            "record": old,
            "kind": "ADMIN_PENALTY",
            "act_ended": "2021-11-01",
            "retention_end": "2026-11-01",
        }
        # the events about the deleted record are still there
        assert (
            await s.scalar(
                select(AuditEvent.id).where(
                    AuditEvent.action == "objection.file",
                    AuditEvent.detail["record"].as_integer() == old,
                )
            )
            is not None
        )
    await seal_pending(api.hub.sessionmaker)
    async with api.hub.sessionmaker() as s:
        report_chain = await verify_chain(s)
    assert report_chain.ok and report_chain.events == await count(api, AuditEvent)

    # when it runs again: nothing changes, not even the audit trail
    events_after = await count(api, AuditEvent)
    again = await maintain(api.hub)
    assert again.counts == ZERO
    assert await count(api, AuditEvent) == events_after
    # fulfilling a breached commitment is an illegal transition
    agency = await api.client(PrincipalKind.AGENCY)
    await api.grant(c.uscc, agency, "APPROVAL", ["COMMITMENT"])
    body = await api.gql(
        """mutation($id: ID!) { fulfilCommitment(id: $id) { id } }""",
        {"id": c.id},
        agency.token,
    )
    assert body["errors"][0]["extensions"]["code"] == "CONFLICT"
    assert "is BREACHED" in body["errors"][0]["message"]


async def test_breach_lowers_the_evaluation(sqlite_rapi: Api) -> None:
    api = sqlite_rapi
    api.clock.at = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)
    await api.entity(USCC)
    await api.data(MAKE, None, api.subject_token(USCC))
    before = await score(api)
    api.clock.at = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert (await maintain(api.hub)).commitments_breached == 1
    assert await score(api) == before - 60  # an ORDINARY negative record


async def _seed(url: str) -> None:
    engine = create_engine(url)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    try:
        async with session_scope(make_sessionmaker(engine)) as s:
            s.add(
                Entity(
                    uscc=USCC,
                    name="郑州示范科技有限公司",
                    kind="ENTERPRISE",
                    region_code="410100",
                    status="存续",
                    created_at=now,
                    updated_at=now,
                )
            )
            await s.flush()
            s.add(
                CreditRecord(
                    uscc=USCC,
                    source="market-regulation",
                    source_id="P-1",
                    category="PENALTY",
                    kind="ADMIN_PENALTY",
                    severity="MINOR",
                    title="罚款 500 元",
                    decided_on=date(2026, 8, 1),
                    publish_until=date(2026, 11, 22),
                    created_at=now,
                    updated_at=now,
                )
            )
    finally:
        await engine.dispose()


async def _chain(url: str) -> tuple[bool, int]:
    engine = create_engine(url)
    try:
        async with make_sessionmaker(engine)() as s:
            rep = await verify_chain(s)
            total = await s.scalar(select(func.count()).select_from(AuditEvent))
            assert rep.events == total
            return rep.ok, rep.events
    finally:
        await engine.dispose()


def test_cli_json_today_and_idempotent(sqlite_url: str, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    migrate(sqlite_url)
    asyncio.run(_seed(sqlite_url))
    monkeypatch.setenv("HUB_DATABASE_URL", sqlite_url)
    app = typer.Typer()
    app.callback()(lambda: None)
    register(app)
    runner = CliRunner()

    # the day before the window ends nothing happens
    r = runner.invoke(app, ["maintenance", "--json", "--today", "2026-11-22"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == {
        "today": "2026-11-22",
        **ZERO,
        "records_without_end": [],
    }

    r = runner.invoke(app, ["maintenance", "--json", "--today", "2026-11-23"])
    assert json.loads(r.stdout) == {
        "today": "2026-11-23",
        **ZERO,
        "records_expired": 1,
        "records_without_end": [],
    }
    assert asyncio.run(_chain(sqlite_url)) == (True, 2)  # expire + summary, sealed
    r = runner.invoke(app, ["maintenance", "--today", "2026-11-23"])
    assert r.exit_code == 0
    assert r.stdout.splitlines() == [
        "maintenance as of 2026-11-23 (China time)",
        "  commitments breached: 0",
        "  records deleted: 0",
        "  records expired: 0",
        "  lists expired: 0",
        "  objections overdue: 0",
        "  list objections overdue: 0",
        "  consents expired: 0",
        "  consent reminders: 0",
        "  consent requests expired: 0",
    ]
    r = runner.invoke(app, ["maintenance", "--today", "23/11/2026"])
    assert r.exit_code == 2
