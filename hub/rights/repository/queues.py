"""The rights queues, keys first; the consents alerts and data shares need.

A queue page lists *keys* — id, subject, the record's category, the order
column — enough for the door to decide before anything of a subject is
loaded (``hub.rights.queues``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from hub.consent.active import active_consent, covers
from hub.enums import DataCategory, Purpose, RepairStatus
from hub.models import (
    Client,
    Commitment,
    Consent,
    CreditRecord,
    Objection,
    RepairApplication,
)

__all__ = [
    "QueueKey",
    "active_consents",
    "case_keys",
    "commitment_keys",
    "monitoring_consent",
    "pending_repair",
]

CaseT = TypeVar("CaseT", Objection, RepairApplication)


class QueueKey(NamedTuple):
    """One queue item as the door needs it: whose, which category, where."""

    id: str
    uscc: str
    category: str
    at: datetime | date  # the queue's order column (with ``id``, the cursor)


# --- queues: keys first, for the door ---------------------------------------


# Objections by reply deadline (the admin's work order), applications by age.
_ORDER: dict[type[Any], InstrumentedAttribute[datetime]] = {
    Objection: Objection.due_by,
    RepairApplication: RepairApplication.applied_at,
}


def _after(
    at: InstrumentedAttribute[Any],
    id_: InstrumentedAttribute[str],
    after: tuple[Any, str],
) -> ColumnElement[bool]:
    return or_(at > after[0], and_(at == after[0], id_ > after[1]))


async def case_keys(
    session: AsyncSession,
    model: type[CaseT],
    *,
    uscc: str | None = None,
    status: str | None = None,
    ids: Sequence[str] | None = None,
    first: int | None = None,
    after: tuple[datetime, str] | None = None,
) -> tuple[list[QueueKey], int]:
    """Keys of objections (oldest reply deadline first) or repair applications
    (oldest first), ``first + 1`` of them after ``after``; and how many match."""
    at = _ORDER[model]
    conds: list[Any] = []
    if uscc is not None:
        conds.append(model.uscc == uscc)
    if status is not None:
        conds.append(model.status == status)
    if ids is not None:
        conds.append(model.id.in_(list(ids)))
    total = (
        int(await session.scalar(select(func.count(model.id)).where(*conds)) or 0)
        if ids is None
        else 0
    )
    if after is not None:
        conds.append(_after(at, model.id, after))
    query = (
        select(model.id, model.uscc, CreditRecord.category, at)
        .join(CreditRecord, CreditRecord.id == model.record_id)
        .where(*conds)
        .order_by(at, model.id)
    )
    if first is not None:
        query = query.limit(first + 1)
    rows = await session.execute(query)
    return [QueueKey(*r) for r in rows], total


async def commitment_keys(
    session: AsyncSession,
    *,
    uscc: str | None,
    status: str | None,
    first: int,
    after: tuple[date, str] | None,
    consented_to: tuple[str, Purpose, datetime] | None = None,
) -> tuple[list[QueueKey], int]:
    """Keys of commitments, earliest due date first; and how many match.

    ``consented_to`` = (grantee id, purpose, now) keeps only subjects that hold
    an ACTIVE consent of that purpose covering COMMITMENT to that grantee (the
    count included); the door still decides, and audits, each subject shown.
    """
    conds: list[Any] = []
    if uscc is not None:
        conds.append(Commitment.uscc == uscc)
    if status is not None:
        conds.append(Commitment.status == status)
    if consented_to is not None:
        grantee, purpose, now = consented_to
        conds.append(
            select(Consent.id)
            .where(
                Consent.subject == Commitment.uscc,
                Consent.grantee_id == grantee,
                Consent.purpose == str(purpose),
                active_consent(now),
                covers(DataCategory.COMMITMENT),
            )
            .exists()
        )
    total = int(
        await session.scalar(select(func.count(Commitment.id)).where(*conds)) or 0
    )
    if after is not None:
        conds.append(_after(Commitment.due_on, Commitment.id, after))
    rows = await session.execute(
        select(Commitment.id, Commitment.uscc, Commitment.due_on)
        .where(*conds)
        .order_by(Commitment.due_on, Commitment.id)
        .limit(first + 1)
    )
    return [
        QueueKey(id_, u, DataCategory.COMMITMENT.value, due) for id_, u, due in rows
    ], total


async def pending_repair(session: AsyncSession, record_id: int) -> str | None:
    return await session.scalar(
        select(RepairApplication.id).where(
            RepairApplication.record_id == record_id,
            RepairApplication.status == RepairStatus.PENDING.value,
        )
    )


# --- consents (data shares, alerts) --------------------------------------


async def active_consents(
    session: AsyncSession, uscc: str, now: datetime
) -> list[tuple[Consent, Client]]:
    rows = await session.execute(
        select(Consent, Client)
        .join(Client, Client.id == Consent.grantee_id)
        .where(
            Consent.subject == uscc,
            active_consent(now),
        )
        .order_by(Consent.expires_at, Consent.id)
    )
    return [(c, cl) for c, cl in rows.all()]


async def monitoring_consent(
    session: AsyncSession, uscc: str, grantee_id: str, now: datetime
) -> Consent | None:
    """The latest ACTIVE MONITORING consent of ``uscc`` to ``grantee_id``."""
    return await session.scalar(
        select(Consent)
        .where(
            Consent.subject == uscc,
            Consent.grantee_id == grantee_id,
            Consent.purpose == Purpose.MONITORING.value,
            active_consent(now),
        )
        .order_by(Consent.granted_at.desc())
        .limit(1)
    )
