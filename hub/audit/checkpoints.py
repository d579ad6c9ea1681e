"""Signed checkpoints of the audit chain's head (contract v2, "Audit anchoring").

Re-hashing the chain shows any event changed or removed *inside* it, but not
the newest events removed from its end: what is left is still a valid chain.
So every ``HUB_AUDIT_CHECKPOINT_SECONDS`` the sealer signs the head it has
reached — ``seq``, ``hash``, ``at`` — with the hub's key, stores it, and
``GET /audit/checkpoints`` publishes it (no subject data: a sequence number
and a hash).  ``audit verify`` then checks the chain against the latest
checkpoint: the event at its ``seq`` must exist and carry its ``hash``.
Anyone who keeps the published checkpoints elsewhere can check against those
too (``audit verify --checkpoint FILE``), which also catches the checkpoints
being removed along with the events.

What it cannot see: events written after the latest checkpoint and removed
before the next one — at most ``HUB_AUDIT_CHECKPOINT_SECONDS`` of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.audit.chain import chain_head, lock_chain
from hub.auth.keys import Keyring
from hub.auth.tokens import sign_jws, verify_jws
from hub.clock import Clock, utc
from hub.errors import HubError
from hub.models import AuditCheckpoint

__all__ = [
    "CHECKPOINT_TYPE",
    "Checkpoint",
    "latest_checkpoint",
    "list_checkpoints",
    "make_checkpoint",
    "signed_by_hub",
]

#: JWS ``typ`` of a checkpoint, so it can never pass as a token or a receipt.
CHECKPOINT_TYPE = "audit-checkpoint+jwt"
MAX_PAGE = 1000


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A checkpoint as published: ``signature`` is a JWS over the other three."""

    seq: int
    hash: str
    at: str
    signature: str

    @classmethod
    def from_row(cls, row: AuditCheckpoint) -> Checkpoint:
        return cls(int(row.seq), row.hash, _at(row.at), row.signature)

    @classmethod
    def from_json(cls, data: Any) -> Checkpoint:
        """From one object of ``GET /audit/checkpoints`` (raises ValueError)."""
        try:
            return cls(
                int(data["seq"]), str(data["hash"]), str(data["at"]), data["signature"]
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"not a checkpoint: {exc}") from None

    def as_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "hash": self.hash,
            "at": self.at,
            "signature": self.signature,
        }

    def claims(self) -> dict[str, Any]:
        return {"seq": self.seq, "hash": self.hash, "at": self.at}


def _at(value: datetime) -> str:
    return utc(value).isoformat().replace("+00:00", "Z")


async def make_checkpoint(
    sessionmaker: async_sessionmaker[AsyncSession], keys: Keyring, clock: Clock
) -> Checkpoint | None:
    """Sign and store the chain's head unless a checkpoint already covers it.

    Runs under the chain lock, so the head cannot move while it is signed and
    several workers do not sign the same head twice.
    """
    async with sessionmaker() as session:
        await lock_chain(session)
        head = await chain_head(session)
        last = await session.scalar(
            select(AuditCheckpoint.seq).order_by(AuditCheckpoint.seq.desc()).limit(1)
        )
        if head is None or (last is not None and last >= head[0]):
            await session.rollback()
            return None
        seq, digest = head
        at = _at(clock.now())
        signature = sign_jws(
            keys, {"seq": seq, "hash": digest, "at": at}, typ=CHECKPOINT_TYPE
        )
        row = AuditCheckpoint(
            seq=seq, hash=digest, at=datetime.fromisoformat(at), signature=signature
        )
        session.add(row)
        await session.commit()
        return Checkpoint(seq, digest, at, signature)


async def list_checkpoints(
    session: AsyncSession, *, after: int = 0, limit: int = MAX_PAGE
) -> list[Checkpoint]:
    """Checkpoints with ``seq`` above ``after``, oldest first."""
    rows = await session.scalars(
        select(AuditCheckpoint)
        .where(AuditCheckpoint.seq > after)
        .order_by(AuditCheckpoint.seq)
        .limit(max(0, min(limit, MAX_PAGE)))
    )
    return [Checkpoint.from_row(r) for r in rows]


async def latest_checkpoint(session: AsyncSession) -> Checkpoint | None:
    row = await session.scalar(
        select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc()).limit(1)
    )
    return None if row is None else Checkpoint.from_row(row)


def signed_by_hub(keys: Keyring, checkpoint: Checkpoint, clock: Clock) -> bool:
    """Whether ``signature`` is the hub's and says exactly seq, hash and at."""
    try:
        payload = verify_jws(keys, checkpoint.signature, clock, typ=CHECKPOINT_TYPE)
    except HubError:
        return False
    return bool(payload == checkpoint.claims())
