"""Re-hash the whole chain and name the first broken event; check its end
against a signed checkpoint."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.audit.canonical import GENESIS
from hub.audit.chain import digest
from hub.audit.checkpoints import Checkpoint
from hub.models import AuditEvent

__all__ = ["ChainReport", "chain_length", "verify_chain"]


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
            "reason": self.reason,
            "checkpoint": None
            if anchor is None
            else {"seq": anchor.seq, "at": anchor.at},
        }


async def chain_length(session: AsyncSession) -> int:
    """The ``seq`` of the newest sealed event (0 for an empty chain)."""
    return int(await session.scalar(select(func.max(AuditEvent.seq))) or 0)


async def verify_chain(
    session: AsyncSession,
    batch: int = 5000,
    *,
    anchor: Checkpoint | None = None,
    since: int = 1,
    progress: Callable[[int], None] | None = None,
) -> ChainReport:
    """Walk events in chain order; each must link to its predecessor and re-hash.

    With ``anchor`` (a checkpoint whose signature the caller checked) the
    event at its ``seq`` must carry its ``hash``, and the chain must reach
    it: a chain that ends earlier lost its newest events.

    ``since`` starts the walk at that ``seq``, trusting the stored hash of
    the event before it (an operator who verified up to there before).
    ``progress`` is called with the number of events checked so far.
    """
    prev, count, last_seq = GENESIS, 0, 0

    def broken(event: str | None, reason: str) -> ChainReport:
        return ChainReport(False, count, event, reason, anchor)

    if since > 1:
        before = await session.scalar(
            select(AuditEvent).where(AuditEvent.seq == since - 1)
        )
        if before is None:
            return broken(None, f"there is no event at seq {since - 1} to start from")
        prev, last_seq = before.hash, since - 1
        if anchor is not None and anchor.seq < since:
            pinned = await session.scalar(
                select(AuditEvent.hash).where(AuditEvent.seq == anchor.seq)
            )
            if pinned != anchor.hash:
                return broken(None, f"seq {anchor.seq} differs from the checkpoint")

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
        if progress is not None:
            progress(count)
    if anchor is not None and last_seq < anchor.seq:
        return broken(
            None,
            f"the chain ends at seq {last_seq} but the checkpoint of {anchor.at} "
            f"anchors seq {anchor.seq}: the newest events were removed",
        )
    return ChainReport(True, count, None, None, anchor)
