"""Pulls keep objection corrections, never move records, count China days."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from sqlalchemy import select

from connectors.records import make_record
from connectors.sandbox import data
from hub.auth.principal import Principal
from hub.db import session_scope
from hub.enums import DataCategory as C
from hub.enums import ObjectionResolution, PrincipalKind
from hub.models import AuditEvent, CreditRecord, Entity, QuarantinedRow
from hub.rights.objections import file_objection, resolve_objection
from hub.sources import repository as repo
from hub.sources.service import SourceStatus
from tests.connectors.conftest import SANDBOX_DAY, World, find_uscc
from tests.connectors.test_service import read_profile

ADMIN = Principal(id="admin-1", kind=PrincipalKind.ADMIN, name="平台管理员")
# Listed by the court and not yet performed: its listing is ACTIVE.
LISTED = find_uscc(
    lambda u: any(
        c["performed_on"] is None for c in data.court_answer(u, SANDBOX_DAY)["cases"]
    )
)
# 17:00 UTC on 23 Nov is already 01:00 on 24 Nov in China.
LATE = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)


async def court_records(world: World) -> list[CreditRecord]:
    async with world.hub.sessionmaker() as s:
        rows = await s.scalars(
            select(CreditRecord)
            .where(CreditRecord.source == "court-dishonest")
            .order_by(CreditRecord.source_id)
        )
        return list(rows)


async def data_version(world: World, uscc: str) -> int:
    async with world.hub.sessionmaker() as s:
        return int(
            await s.scalar(select(Entity.data_version).where(Entity.uscc == uscc)) or 0
        )


async def test_pull_keeps_the_corrections_of_an_objection(world: World) -> None:
    # given a pulled court listing whose objection was resolved CORRECTED
    await world.add_entity(LISTED)
    await world.consent(LISTED, [C.JUDICIAL])
    await read_profile(world, LISTED)
    first = (await court_records(world))[0]
    original = (first.title, first.details)
    async with session_scope(world.hub.sessionmaker) as s:
        filed = await file_objection(
            s, world.hub, ADMIN, record_id=str(first.id), reason="案号有误"
        )
    async with session_scope(world.hub.sessionmaker) as s:
        await resolve_objection(
            s,
            world.hub,
            ADMIN,
            objection_id=filed.id,
            resolution=ObjectionResolution.CORRECTED,
            note="已更正",
            corrections={"title": "失信被执行人（已更正）", "details": {"fixed": 1}},
        )
    version = await data_version(world, LISTED)

    # when the court is asked again and answers as before
    world.hub.backends.cache = type(world.hub.cache)()
    world.hub.clock.advance(hours=2)
    statuses = await read_profile(world, LISTED)

    # then the corrections stand (征信业管理条例 Art 25) and nothing was written
    assert statuses == [
        SourceStatus("court-dishonest", world.hub.clock.now(), False, None)
    ]
    assert world.sandbox.stats()["court"] == 2
    again = (await court_records(world))[0]
    assert (again.title, again.details) == ("失信被执行人（已更正）", {"fixed": 1})
    assert (again.title, again.details) != original
    assert await data_version(world, LISTED) == version


async def test_answer_moving_a_stored_record_is_refused_as_malformed(
    world: World,
) -> None:
    # given a tax rating stored for another enterprise under the id the tax
    # bureau now gives for this one
    other = find_uscc(lambda u: u != LISTED, seed=99)
    await world.add_entity(LISTED)
    await world.add_entity(other, name="开封黄河商贸有限公司")
    await world.consent(LISTED, [C.TAX])
    ratings = data.tax_answer(LISTED, SANDBOX_DAY)["ratings"]
    taken = ratings[0]["rating_id"]
    now = world.hub.clock.now()
    async with session_scope(world.hub.sessionmaker) as s:
        s.add(
            CreditRecord(
                uscc=other,
                source="henan-tax",
                source_id=taken,
                category="TAX",
                kind="TAX_RATING",
                severity="NONE",
                status="ACTIVE",
                title="2024年度纳税信用等级 A",
                created_at=now,
                updated_at=now,
            )
        )

    # when this enterprise's profile is read
    statuses = await read_profile(world, LISTED)

    # then the whole answer is refused as malformed and quarantined
    error = (
        f"MALFORMED_PAYLOAD: record {taken!r} is stored for {other}; a record "
        f"never moves to another enterprise ({LISTED})"
    )
    assert statuses == [SourceStatus("henan-tax", None, True, error)]
    async with world.hub.sessionmaker() as s:
        stored = (await s.scalars(select(CreditRecord))).all()
        [q] = (await s.scalars(select(QuarantinedRow))).all()
        [event] = (
            await s.scalars(
                select(AuditEvent).where(AuditEvent.action == "connector.fetch")
            )
        ).all()
    assert [(r.uscc, r.source_id, r.title) for r in stored] == [
        (other, taken, "2024年度纳税信用等级 A")
    ]
    assert (q.source_file, q.reason) == ("connector:henan-tax", error)
    assert [r["source_id"] for r in json.loads(q.raw)] == [
        r["rating_id"] for r in ratings
    ]
    assert event.detail == {
        "source": "henan-tax",
        "outcome": "MALFORMED_PAYLOAD",
        "error": error,
    }


async def test_window_ending_on_the_china_day_before_is_expired(world: World) -> None:
    # given 17:00 UTC on 23 Nov (24 Nov in China) and a record published
    # until 23 Nov
    world.hub.clock.at = LATE  # type: ignore[attr-defined]
    await world.add_entity(LISTED)
    arrears = make_record(
        uscc=LISTED,
        source="utilities",
        source_id="U-1",
        category="UTILITIES",
        kind="UTILITY_ARREARS",
        severity="MINOR",
        title="欠缴电费3个月",
        decided_on="2026-08-23",
        publish_from="2026-08-23",
        publish_until="2026-11-23",
    )

    # when a pull stores it
    async with session_scope(world.hub.sessionmaker) as s:
        written = await repo.upsert_records(s, [arrears], LATE)

    # then its window has lapsed: it is stored EXPIRED
    async with world.hub.sessionmaker() as s:
        status = await s.scalar(select(CreditRecord.status))
    assert (len(written), status) == (1, "EXPIRED")


async def test_withdrawn_record_ends_on_the_china_day(world: World) -> None:
    # given a court listing pulled at 17:00 UTC on 23 Nov (24 Nov in China)
    world.hub.clock.at = LATE  # type: ignore[attr-defined]
    await world.add_entity(LISTED)
    await world.consent(LISTED, [C.JUDICIAL])
    await read_profile(world, LISTED)
    active = [r.source_id for r in await court_records(world) if r.status == "ACTIVE"]
    assert active

    # when the court no longer lists anything for the enterprise
    world.hub.backends.cache = type(world.hub.cache)()
    court = world.registry["court-dishonest"]
    court._parse = lambda entity, raw, cats: []  # type: ignore[method-assign]
    await read_profile(world, LISTED)

    # then the listings end on the China calendar day
    ended = {
        r.source_id: (r.status, r.ended_on, r.publish_until)
        for r in await court_records(world)
        if r.source_id in active
    }
    day = date(2026, 11, 24)
    assert ended == {sid: ("EXPIRED", day, day) for sid in active}
