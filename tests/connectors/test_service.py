"""Pulls for a profile read: consent, cache, single-flight, audit, stale-if-error."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select

from connectors.sandbox import data
from hub.backends import RedisCache
from hub.db import session_scope
from hub.enums import DataCategory as C
from hub.enums import RecordStatus
from hub.models import AuditEvent, CreditRecord, Entity, QuarantinedRow, SourceStatusRow
from hub.sources.service import SourceStatus, refresh, source_statuses
from tests.connectors.conftest import SANDBOX_DAY, World, find_uscc

USCC = find_uscc(
    lambda u: (
        bool(data.court_answer(u, SANDBOX_DAY)["cases"])
        and data.tax_answer(u, SANDBOX_DAY)["ratings"][1]["rating"] == "B"
    )
)
ALL = [C.BASIC, C.TAX, C.JUDICIAL, C.LICENSING, C.PENALTY, C.UTILITIES]


async def read_profile(world: World, uscc: str = USCC) -> list[SourceStatus]:
    """What the profile read does: open the door (and commit what it decided),
    then refresh, which stores in a transaction of its own."""
    async with session_scope(world.hub.sessionmaker) as s:
        grant = await world.grant(s, uscc)
    return await refresh(world.hub, grant, world.registry)


async def count(world: World, stmt) -> int:  # type: ignore[no-untyped-def]
    async with world.hub.sessionmaker() as s:
        return int(await s.scalar(stmt) or 0)


async def test_pull_stores_records_status_and_audit(world: World) -> None:
    # given an enterprise that consented to every category for LENDING
    await world.add_entity(USCC)
    await world.consent(USCC, ALL)
    now = world.hub.clock.now()
    # when the bank reads its profile
    statuses = await read_profile(world)
    # then every source is fresh as of now
    assert statuses == [
        SourceStatus(name, now, False, None)
        for name in ("court-dishonest", "henan-tax", "market-regulation", "utilities")
    ]
    # and the records are stored, one per source id
    async with world.hub.sessionmaker() as s:
        sources = dict(
            (
                await s.execute(
                    select(CreditRecord.source, func.count()).group_by(
                        CreditRecord.source
                    )
                )
            ).all()
        )
        version = await s.scalar(select(Entity.data_version).where(Entity.uscc == USCC))
        events = (
            await s.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == "connector.fetch")
                .order_by(AuditEvent.seq)
            )
        ).all()
    assert sources["henan-tax"] == 2
    assert sources["court-dishonest"] == len(
        data.court_answer(USCC, SANDBOX_DAY)["cases"]
    )
    # one bump per source that brought records
    assert version == 1 + len(sources)
    # and each pull was authorised and audited for its own categories
    assert [
        (e.detail["source"], e.detail["outcome"], e.categories, e.actor_id)
        for e in events
    ] == [
        ("court-dishonest", "OK", ["JUDICIAL"], world.bank.id),
        ("henan-tax", "OK", ["TAX"], world.bank.id),
        ("market-regulation", "OK", ["LICENSING", "PENALTY"], world.bank.id),
        ("utilities", "OK", ["UTILITIES"], world.bank.id),
    ]
    assert {e.subject for e in events} == {USCC}


async def test_fresh_pull_is_served_from_cache(world: World) -> None:
    await world.add_entity(USCC)
    await world.consent(USCC, [C.TAX])
    await read_profile(world)
    # when read again within the ttl
    world.hub.clock.advance(minutes=5)
    statuses = await read_profile(world)
    # then the source is not asked again and nothing is re-audited
    assert world.sandbox.stats()["tax"] == 1
    assert statuses[0].as_of == world.hub.clock.now() - timedelta(minutes=5)
    assert statuses[0].stale is False
    assert (
        await count(
            world,
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "connector.fetch"),
        )
        == 1
    )


async def test_no_pull_without_consent(world: World) -> None:
    # given a consent covering TAX only
    await world.add_entity(USCC)
    await world.consent(USCC, [C.TAX])
    statuses = await read_profile(world)
    # then only the tax bureau is asked and only its status is shown
    assert world.sandbox.stats() == {"tax": 1, "court": 0, "market": 0, "utility": 0}
    assert [s.source for s in statuses] == ["henan-tax"]
    assert (
        await count(
            world,
            select(func.count())
            .select_from(CreditRecord)
            .where(CreditRecord.source != "henan-tax"),
        )
        == 0
    )


async def test_sick_source_serves_last_good_data_flagged_stale(world: World) -> None:
    # given a good pull
    await world.add_entity(USCC)
    await world.consent(USCC, [C.TAX, C.JUDICIAL])
    first = world.hub.clock.now()
    await read_profile(world)
    # when the court source times out after the data went stale
    world.sandbox.fault("court", timeout=True)
    world.hub.clock.advance(hours=2)
    world.hub.backends.cache = type(world.hub.cache)()  # the cached pulls have expired
    statuses = await read_profile(world)
    # then the read still answers, the court flagged stale with its error
    court, tax = statuses
    assert (court.source, court.as_of, court.stale) == ("court-dishonest", first, True)
    assert court.error == "TIMEOUT: no answer within 1 s"
    assert (tax.stale, tax.as_of) == (False, world.hub.clock.now())
    # and the court records from the last good pull are still there
    assert await count(
        world,
        select(func.count())
        .select_from(CreditRecord)
        .where(CreditRecord.source == "court-dishonest"),
    ) == len(data.court_answer(USCC, SANDBOX_DAY)["cases"])
    async with world.hub.sessionmaker() as s:
        row = await s.get(SourceStatusRow, (USCC, "court-dishonest"))
        events = (
            await s.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == "connector.fetch")
                .order_by(AuditEvent.seq)
            )
        ).all()
    assert (row.as_of, row.last_attempt_at) == (first, world.hub.clock.now())
    assert [e.detail for e in events[2:]] == [
        {
            "source": "court-dishonest",
            "outcome": "TIMEOUT",
            "error": "TIMEOUT: no answer within 1 s",
        },
        {"source": "henan-tax", "outcome": "OK", "records": 2},
    ]


async def test_each_fault_flags_the_source_and_quarantines_bad_answers(
    world: World,
) -> None:
    await world.add_entity(USCC)
    await world.consent(USCC, ALL)
    world.sandbox.fault("tax", status=503)
    world.sandbox.fault("court", malformed=True)
    world.sandbox.fault("market", wrong_uscc=True)
    world.sandbox.fault("utility", schema=True)
    statuses = await read_profile(world)
    assert [(s.source, s.stale, s.error.split(":")[0]) for s in statuses] == [
        ("court-dishonest", True, "MALFORMED_PAYLOAD"),
        ("henan-tax", True, "HTTP_ERROR"),
        ("market-regulation", True, "WRONG_USCC"),
        ("utilities", True, "MALFORMED_PAYLOAD"),
    ]
    # nothing was half-imported; the bad answers wait in the quarantine
    assert await count(world, select(func.count()).select_from(CreditRecord)) == 0
    async with world.hub.sessionmaker() as s:
        quarantined = (
            await s.scalars(select(QuarantinedRow).order_by(QuarantinedRow.source_file))
        ).all()
    assert [(q.source_file, q.reason.split(":")[0]) for q in quarantined] == [
        ("connector:court-dishonest", "MALFORMED_PAYLOAD"),
        ("connector:market-regulation", "WRONG_USCC"),
        ("connector:utilities", "MALFORMED_PAYLOAD"),
    ]


async def test_single_flight_under_fifty_concurrent_reads(world: World) -> None:
    # given a slow tax source and fifty reads of the same enterprise at once
    await world.add_entity(USCC)
    await world.consent(USCC, [C.TAX])
    async with session_scope(world.hub.sessionmaker) as s:
        grant = await world.grant(s, USCC)
    world.sandbox.fault("tax", latency=0.3)

    async def one_read() -> list[SourceStatus]:
        return await refresh(world.hub, grant, world.registry)

    results = await asyncio.gather(*(one_read() for _ in range(50)))
    # then the source was asked exactly once, and every read saw it fresh
    assert world.sandbox.stats()["tax"] == 1
    assert {r[0] for r in results} == {
        SourceStatus("henan-tax", world.hub.clock.now(), False, None)
    }
    assert await count(world, select(func.count()).select_from(CreditRecord)) == 2
    assert (
        await count(
            world,
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "connector.fetch"),
        )
        == 1
    )


async def test_unchanged_pull_does_not_bump_the_data_version(world: World) -> None:
    await world.add_entity(USCC)
    await world.consent(USCC, [C.TAX])
    await read_profile(world)
    world.hub.backends.cache = type(world.hub.cache)()
    world.hub.clock.advance(days=2)
    await read_profile(world)
    assert world.sandbox.stats()["tax"] == 2
    assert (
        await count(world, select(Entity.data_version).where(Entity.uscc == USCC)) == 2
    )


async def test_record_withdrawn_by_the_source_is_ended(world: World) -> None:
    # given a court listing pulled earlier
    await world.add_entity(USCC)
    await world.consent(USCC, [C.JUDICIAL])
    await read_profile(world)
    # when the court no longer lists it (the sandbox now answers for a clean USCC)
    clean = find_uscc(lambda u: not data.court_answer(u, SANDBOX_DAY)["cases"])
    async with session_scope(world.hub.sessionmaker) as s:
        case_ids = (await s.scalars(select(CreditRecord.source_id))).all()
    world.hub.backends.cache = type(world.hub.cache)()
    court = world.registry["court-dishonest"]
    court.path = lambda entity, cats: f"/court/v1/dishonest/{clean}"  # type: ignore[method-assign]
    court.to_records = lambda entity, answer, cats: []  # type: ignore[method-assign]
    court._parse = lambda entity, raw, cats: []  # type: ignore[method-assign]
    world.hub.clock.advance(days=1)
    await read_profile(world)
    # then its records end today and the entity's data version moves
    async with world.hub.sessionmaker() as s:
        rows = (await s.scalars(select(CreditRecord))).all()
    assert sorted(r.source_id for r in rows) == sorted(case_ids)
    for r in rows:
        if r.ended_on is None or r.ended_on == world.hub.clock.today():
            assert r.status == RecordStatus.EXPIRED
            assert r.publish_until <= world.hub.clock.today()


async def test_unknown_entity_is_not_pulled(world: World) -> None:
    other = find_uscc(lambda u: u != USCC, seed=99)
    await world.add_entity(other)
    await world.consent(other, [C.TAX])
    async with session_scope(world.hub.sessionmaker) as s:
        grant = await world.grant(s, other)
    object.__setattr__(grant, "uscc", USCC)  # an enterprise the hub does not know
    statuses = await refresh(world.hub, grant, world.registry)
    assert world.sandbox.stats()["tax"] == 0
    assert statuses == [SourceStatus("henan-tax", None, True, None)]


async def test_source_statuses_show_consented_sources_only(world: World) -> None:
    await world.add_entity(USCC)
    await world.consent(USCC, ALL)
    await read_profile(world)
    async with world.hub.sessionmaker() as s:
        statuses = await source_statuses(
            s, USCC, [C.PENALTY, C.BASIC], world.registry, now=world.hub.clock.now()
        )
        aged = await source_statuses(
            s,
            USCC,
            [C.TAX],
            world.registry,
            now=world.hub.clock.now() + timedelta(days=2),
        )
    assert [(x.source, x.stale) for x in statuses] == [("market-regulation", False)]
    assert [(x.source, x.stale) for x in aged] == [("henan-tax", True)]


async def test_redis_cache_shares_freshness(world: World, redis_url: str) -> None:
    from redis.asyncio import Redis

    redis = Redis.from_url(redis_url)
    prefix = f"test:{USCC}:{id(world)}:"
    world.hub.backends.cache = RedisCache(redis, prefix=prefix)
    try:
        await world.add_entity(USCC)
        await world.consent(USCC, [C.UTILITIES])
        await read_profile(world)
        await read_profile(world)
        assert world.sandbox.stats()["utility"] == 1
        keys = sorted([k async for k in redis.scan_iter(match=prefix + "*")])
        assert keys == [f"{prefix}connector:utilities:{USCC}:UTILITIES".encode()]
        assert 0 < await redis.pttl(keys[0]) <= 43_200_000
    finally:
        keys = [k async for k in redis.scan_iter(match=prefix + "*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()


async def test_failed_pull_is_not_retried_for_a_while(world: World) -> None:
    # given a pull that failed
    await world.add_entity(USCC)
    await world.consent(USCC, [C.TAX])
    world.sandbox.fault("tax", status=500)
    await read_profile(world)
    asked = world.sandbox.stats()["tax"]
    # when read again at once
    statuses = await read_profile(world)
    # then the sick source is not asked again and the read says it is stale
    assert world.sandbox.stats()["tax"] == asked
    assert statuses == [
        SourceStatus(
            "henan-tax", None, True, "HTTP_ERROR: the source answered HTTP 500"
        )
    ]


async def test_pull_in_progress_in_another_worker_is_not_repeated(world: World) -> None:
    # given another worker holds the pull lock for this enterprise
    await world.add_entity(USCC)
    await world.consent(USCC, [C.TAX])
    await world.hub.cache.add(f"lock:connector:henan-tax:{USCC}:TAX", b"1", ttl=5)
    # when read here
    statuses = await read_profile(world)
    # then nothing is asked or audited here; the status is what is stored
    assert world.sandbox.stats()["tax"] == 0
    assert statuses == [SourceStatus("henan-tax", None, True, None)]
    assert (
        await count(
            world,
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "connector.fetch"),
        )
        == 0
    )
