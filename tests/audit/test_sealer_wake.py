"""The sealer is woken by the commits that write audit events — it does not
poll while idle."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from hub.audit.chain import Sealer
from hub.enums import PrincipalKind
from hub.models import AuditEvent
from tests.api import Api

USCC = "91350100M000100Y43"
READ = """query($u: USCC!) { creditProfile(uscc: $u, purpose: LENDING) {
  auditEventId entity { uscc } } }"""


async def _unsealed(api: Api) -> int:
    async with api.hub.sessionmaker() as s:
        return int(
            await s.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.seq.is_(None))
            )
            or 0
        )


async def test_a_read_wakes_an_idle_sealer(api: Api) -> None:
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    await api.grant(USCC, bank, "LENDING", ["BASIC", "TAX"])
    # an idle sealer that would not look again for an hour on its own
    sealer = Sealer(api.hub.sessionmaker, interval=0.01, idle=3600)
    sealer.start()
    try:
        for _ in range(500):
            if await _unsealed(api) == 0:
                break
            await asyncio.sleep(0.01)
        assert await _unsealed(api) == 0
        # when a read commits its audit row
        await api.data(READ, {"u": USCC}, bank.token)
        # then the sealer links it without waiting for its idle round
        for _ in range(1000):
            if await _unsealed(api) == 0:
                break
            await asyncio.sleep(0.01)
        assert await _unsealed(api) == 0
    finally:
        await sealer.stop()
