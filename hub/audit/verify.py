"""Re-hash the whole chain and name the first broken event; check its end
against a signed checkpoint."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.audit.canonical import GENESIS
from hub.audit.chain import digest
from hub.audit.checkpoints import Checkpoint
from hub.models import AuditEvent

__all__ = ["ChainReport", "verify_chain"]


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    first_broken: str | None
    reason: str | None = None
    checkpoint: Checkpoint | None = None

    def as_json(self) -> dict[str, object]:
        anchor = self.checkpoint
        return {
            "ok": self.ok,
            "events": self.events,
            "first_broken": self.first_broken,
            "checkpoint": None
            if anchor is None
            else {"seq": anchor.seq, "at": anchor.at},
        }


async def verify_chain(
    session: AsyncSession, batch: int = 5000, *, anchor: Checkpoint | None = None
) -> ChainReport:
    """Walk events in chain order; each must link to its predecessor and re-hash.

    With ``anchor`` (a checkpoint whose signature the caller checked) the
    event at its ``seq`` must carry its ``hash``, and the chain must reach
    it: a chain that ends earlier lost its newest events.
    """
    prev, count, last_seq = GENESIS, 0, 0

    def broken(event: str | None, reason: str) -> ChainReport:
        return ChainReport(False, count, event, reason, anchor)

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
            break
        for ev in rows:
            count += 1
            if ev.seq != last_seq + 1:
                return broken(ev.id, "an event is missing before it")
            if ev.prev_hash != prev:
                return broken(ev.id, "prev_hash does not link")
            expected = digest(ev, ev.prev_hash)
            if ev.hash != expected:
                return broken(ev.id, "content does not match hash")
            if anchor is not None and ev.seq == anchor.seq and ev.hash != anchor.hash:
                return broken(ev.id, f"differs from the checkpoint of {anchor.at}")
            prev, last_seq = ev.hash, ev.seq or last_seq
        session.expunge_all()
    if anchor is not None and last_seq < anchor.seq:
        return broken(
            None,
            f"the chain ends at seq {last_seq} but the checkpoint of {anchor.at} "
            f"anchors seq {anchor.seq}: the newest events were removed",
        )
    return ChainReport(True, count, None, None, anchor)
