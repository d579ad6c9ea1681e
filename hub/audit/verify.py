"""Re-hash the whole chain and name the first broken event."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.audit.canonical import GENESIS
from hub.audit.chain import digest
from hub.models import AuditEvent

__all__ = ["ChainReport", "verify_chain"]


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    first_broken: str | None
    reason: str | None = None

    def as_json(self) -> dict[str, object]:
        return {"ok": self.ok, "events": self.events, "first_broken": self.first_broken}


async def verify_chain(session: AsyncSession, batch: int = 5000) -> ChainReport:
    """Walk events in chain order; each must link to its predecessor and re-hash."""
    prev, count, last_seq = GENESIS, 0, 0
    while True:
        rows = (
            await session.scalars(
                select(AuditEvent)
                .where(AuditEvent.seq > last_seq)
                .order_by(AuditEvent.seq)
                .limit(batch)
            )
        ).all()
        if not rows:
            return ChainReport(True, count, None)
        for ev in rows:
            count += 1
            if ev.seq != last_seq + 1:
                return ChainReport(False, count, ev.id, "an event is missing before it")
            if ev.prev_hash != prev:
                return ChainReport(False, count, ev.id, "prev_hash does not link")
            expected = digest(ev, ev.prev_hash)
            if ev.hash != expected:
                return ChainReport(False, count, ev.id, "content does not match hash")
            prev, last_seq = ev.hash, ev.seq or last_seq
        session.expunge_all()
