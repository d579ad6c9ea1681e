"""Appending to the audit hash chain, safely under concurrency.

An event is *decided* inside a unit of work (:func:`append_event`: it gets its
id at once, so a response can name it) and *sealed* into the chain when that
unit of work commits (:func:`seal`, called by :func:`hub.db.commit`).  Only the
seal is serialised, so concurrent readers don't queue behind one another for
the length of their reads — just for one small INSERT and the COMMIT:

* PostgreSQL: a transaction-scoped advisory lock, then read the head, insert.
* SQLite: a no-op UPDATE takes the database write lock (held to COMMIT),
  then read the head, insert.

A session committed with unsealed events is refused (see ``hub.db``): no
event can be lost by a forgotten seal.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub.audit.canonical import GENESIS, event_hash
from hub.auth.principal import Principal
from hub.models import AuditEvent, new_id

__all__ = ["PENDING", "append_event", "seal"]

PENDING = "hub.audit.pending"
# Arbitrary constant naming the chain's advisory lock.
_CHAIN_LOCK = 0x58494E5949  # "XINYI"


async def append_event(
    session: AsyncSession,
    *,
    actor: Principal,
    action: str,
    outcome: str,
    at: datetime,
    subject: str | None = None,
    purpose: str | None = None,
    consent_id: str | None = None,
    categories: Iterable[str] = (),
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Decide one event in the caller's unit of work; it is sealed at commit."""
    event = AuditEvent(
        id=new_id(),
        at=at,
        actor_id=actor.id,
        actor_kind=str(actor.kind),
        action=action,
        subject=subject,
        purpose=str(purpose) if purpose is not None else None,
        consent_id=consent_id,
        categories=sorted(str(c) for c in categories),
        outcome=outcome,
        detail=detail or None,
    )
    session.info.setdefault(PENDING, []).append(event)
    return event


def _digest(event: AuditEvent, prev: str) -> str:
    return event_hash(
        prev_hash=prev,
        at=event.at,
        actor_id=event.actor_id,
        actor_kind=event.actor_kind,
        action=event.action,
        subject=event.subject,
        purpose=event.purpose,
        consent_id=event.consent_id,
        categories=list(event.categories),
        outcome=event.outcome,
        detail=event.detail,
    )


async def _head(session: AsyncSession) -> tuple[int, str]:
    row = (
        await session.execute(
            select(AuditEvent.seq, AuditEvent.hash)
            .where(AuditEvent.seq.is_not(None))
            .order_by(AuditEvent.seq.desc())
            .limit(1)
        )
    ).first()
    return (int(row[0]), row[1]) if row else (0, GENESIS)


async def seal(session: AsyncSession) -> None:
    """Link this unit of work's pending events onto the chain (call last)."""
    pending: list[AuditEvent] = session.info.pop(PENDING, [])
    if not pending:
        return
    if session.bind.dialect.name == "postgresql":
        await session.execute(
            text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK}
        )
    else:
        # A no-op UPDATE takes SQLite's write lock, held until COMMIT, so no
        # other writer can move the head between our read and our insert.
        await session.execute(
            update(AuditEvent)
            .where(text("1 = 0"))
            .values(seq=AuditEvent.seq)
            .execution_options(synchronize_session=False)
        )
    seq, prev = await _head(session)
    for event in pending:
        seq += 1
        event.seq, event.prev_hash = seq, prev
        event.hash = prev = _digest(event, prev)
    session.add_all(pending)
    await session.flush()
