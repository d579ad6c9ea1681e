"""The audit chain's state and its verification, for the CLI and the console.

``chain_state`` says how far the chain is signed (the last checkpoint), how
long it is and how many committed events wait to be sealed;
``verify_now`` seals what is pending, then re-hashes the whole chain
against the latest checkpoint signed by this hub (``xinyi-hub audit
verify`` and the console's verify button run exactly this).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.audit import repository as repo
from hub.audit.chain import seal_pending
from hub.audit.checkpoints import Checkpoint, latest_checkpoint, signed_by_hub
from hub.audit.verify import ChainReport, chain_length, verify_chain
from hub.auth.keys import Keyring
from hub.clock import Clock

__all__ = ["ChainState", "chain_state", "verify_now"]


@dataclass(frozen=True, slots=True)
class ChainState:
    events: int
    unsealed: int
    checkpoint: Checkpoint | None

    @property
    def unsigned(self) -> int:
        """Sealed events after the last checkpoint (not yet signed)."""
        return self.events - (self.checkpoint.seq if self.checkpoint else 0)


async def chain_state(session: AsyncSession) -> ChainState:
    return ChainState(
        events=await repo.last_seq(session),
        unsealed=await repo.unsealed_count(session),
        checkpoint=await latest_checkpoint(session),
    )


Progress = Callable[[int], None]


async def verify_now(
    maker: async_sessionmaker[AsyncSession],
    keys: Keyring,
    clock: Clock,
    *,
    anchor: Checkpoint | None = None,
    since: int = 1,
    watch: Callable[[int], AbstractContextManager[Progress | None]] | None = None,
) -> ChainReport:
    """Seal pending events, then verify the chain from ``since`` up to
    ``anchor`` (default: the latest checkpoint, whose signature must be this
    hub's). ``watch(total)`` may give a callback told how far the walk got."""
    await seal_pending(maker)
    async with maker() as session:
        anchor = anchor or await latest_checkpoint(session)
        if anchor is not None and not signed_by_hub(keys, anchor, clock):
            return ChainReport(
                False,
                0,
                None,
                f"checkpoint at seq {anchor.seq} is not signed by this hub",
                anchor,
            )
        total = max(0, await chain_length(session) - since + 1)
        with (watch or (lambda _total: nullcontext(None)))(total) as progress:
            return await verify_chain(
                session, anchor=anchor, since=since, progress=progress
            )
