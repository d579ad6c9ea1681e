"""The audit hash chain stays one valid line under concurrency, and shows tampering."""

from __future__ import annotations

import asyncio

from sqlalchemy import delete, select, update

from hub.audit.chain import append_event, seal_pending
from hub.audit.verify import verify_chain
from hub.auth.principal import Principal
from hub.db import session_scope
from hub.enums import PrincipalKind
from hub.models import AuditEvent

BANK = Principal(id="c1", kind=PrincipalKind.BANK, name="bank")


async def _append_many(sessionmaker, clock, n: int) -> list[str]:  # type: ignore[no-untyped-def]
    async def one(i: int) -> str:
        async with session_scope(sessionmaker) as s:
            ev = await append_event(
                s,
                actor=BANK,
                action="profile.read",
                outcome="GRANTED",
                at=clock.now(),
                subject="91350100M000100Y43",
                detail={"i": i},
            )
            return ev.id

    ids = list(await asyncio.gather(*(one(i) for i in range(n))))
    await seal_pending(sessionmaker)
    return ids


async def test_concurrent_appends_form_one_chain(sessionmaker, clock) -> None:
    # given 200 units of work appending at once
    ids = await _append_many(sessionmaker, clock, 200)
    # when the chain is verified
    async with sessionmaker() as s:
        report = await verify_chain(s)
    # then every event is on one intact chain
    assert len(set(ids)) == 200
    assert (report.ok, report.events, report.first_broken) == (True, 200, None)


async def test_tampering_is_named(sessionmaker, clock) -> None:
    ids = await _append_many(sessionmaker, clock, 5)
    async with sessionmaker() as s:
        victim = (
            await s.scalars(select(AuditEvent).where(AuditEvent.id == ids[2]))
        ).one()
        await s.execute(
            update(AuditEvent)
            .where(AuditEvent.id == victim.id)
            .values(outcome="DENIED")
        )
        await s.commit()
        report = await verify_chain(s)
    assert report.ok is False
    assert report.first_broken == victim.id


async def test_deleted_event_is_detected(sessionmaker, clock) -> None:
    await _append_many(sessionmaker, clock, 4)
    async with sessionmaker() as s:
        await s.execute(delete(AuditEvent).where(AuditEvent.seq == 2))
        await s.commit()
        third = await s.scalar(select(AuditEvent.id).where(AuditEvent.seq == 3))
        report = await verify_chain(s)
    assert (report.ok, report.first_broken) == (False, third)


async def test_sealing_is_incremental_and_idempotent(sessionmaker, clock) -> None:
    await _append_many(sessionmaker, clock, 3)
    assert await seal_pending(sessionmaker) == 0
    await _append_many(sessionmaker, clock, 2)
    async with sessionmaker() as s:
        report = await verify_chain(s)
    assert (report.ok, report.events) == (True, 5)


async def test_swapped_event_ids_are_detected(sessionmaker, clock) -> None:
    ids = await _append_many(sessionmaker, clock, 3)
    async with sessionmaker() as s:
        await s.execute(
            update(AuditEvent).where(AuditEvent.id == ids[0]).values(id="x")
        )
        await s.execute(
            update(AuditEvent).where(AuditEvent.id == ids[1]).values(id=ids[0])
        )
        await s.execute(
            update(AuditEvent).where(AuditEvent.id == "x").values(id=ids[1])
        )
        await s.commit()
        report = await verify_chain(s)
    assert report.ok is False
