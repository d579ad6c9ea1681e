"""Pulls announce what they change, in the pull's own transaction (the outbox)."""

from __future__ import annotations

from sqlalchemy import select

from hub.enums import DataCategory as C
from hub.models import CreditRecord, OutboxEvent
from tests.connectors.conftest import World
from tests.connectors.test_corrections import LISTED
from tests.connectors.test_service import read_profile


async def _outbox(world: World) -> list[tuple[str, int | None, str | None]]:
    async with world.hub.sessionmaker() as s:
        rows = await s.scalars(select(OutboxEvent).order_by(OutboxEvent.n))
        # The consent the test grants is announced too; these are the pull's.
        return [
            (e.type, e.record_id, e.category)
            for e in rows
            if not e.type.startswith("CONSENT_")
        ]


async def _court(world: World) -> dict[int, str]:
    async with world.hub.sessionmaker() as s:
        rows = await s.scalars(
            select(CreditRecord).where(CreditRecord.source == "court-dishonest")
        )
        return {r.id: r.status for r in rows}


async def test_new_listings_and_withdrawals_are_announced(world: World) -> None:
    # given an enterprise the court lists, read under a JUDICIAL consent
    await world.add_entity(LISTED)
    await world.consent(LISTED, [C.JUDICIAL])

    # when a read pulls the court's answer
    await read_profile(world, LISTED)
    # then each new ACTIVE (negative) listing is a NEW_NEGATIVE_RECORD event
    stored = await _court(world)
    active = sorted(i for i, status in stored.items() if status == "ACTIVE")
    assert active
    assert sorted(await _outbox(world)) == [
        ("NEW_NEGATIVE_RECORD", i, "JUDICIAL") for i in active
    ]

    # when the same answer is pulled again, nothing new is announced
    world.hub.backends.cache = type(world.hub.cache)()
    await read_profile(world, LISTED)
    assert len(await _outbox(world)) == len(active)

    # when the court no longer lists the enterprise
    world.hub.backends.cache = type(world.hub.cache)()
    court = world.registry["court-dishonest"]
    court._parse = lambda entity, raw, cats: []  # type: ignore[method-assign]
    await read_profile(world, LISTED)
    # then each listing that ended is announced as expired, and the BLACK
    # memberships resting on them end (DELISTED, category BASIC)
    later = (await _outbox(world))[len(active) :]
    assert sorted(e for e in later if e[0] == "RECORD_EXPIRED") == [
        ("RECORD_EXPIRED", i, "JUDICIAL") for i in active
    ]
    assert {e[0] for e in later} == {"RECORD_EXPIRED", "DELISTED"}
