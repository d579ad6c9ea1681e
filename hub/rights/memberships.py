"""Ending list memberships: one transition, audited, for every reason a list ends.

A membership ends (status ``ENDED``, out of every profile and decision at
once) when

* an objection to it is answered ``REMOVED`` (contract v2, "Lists");
* a repair of the record it rests on is approved — 平信用〔2021〕1号 §12:
  "及时将其移出" (``REPAIRED``);
* the record it rests on is withdrawn on objection (``RECORD_REVOKED``);
* the source reports that a court dishonest-debtor obligation was performed
  — 最高人民法院关于公布失信被执行人名单信息的若干规定 (2017) Art 10
  (``PERFORMED``), or no longer publishes the listing (``WITHDRAWN``);
* its listing term is over (``TERM_ENDED``, maintenance).

Each end is a ``list.end`` change event with outcome ``DELISTED`` in the
subject's log, written in the transaction of the change that caused it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub.audit.changes import record_change
from hub.auth.principal import Principal
from hub.clock import calendar_day
from hub.entities import bump_data_version
from hub.enums import EventType, ListMembershipStatus
from hub.events.changes import list_snapshot
from hub.events.outbox import emit
from hub.models import CreditRecord, ListMembership
from hub.rights import repository as repo
from hub.rights.states import LIST

__all__ = [
    "DELISTED",
    "ListEndReason",
    "end_membership",
    "end_memberships_on_record",
    "end_memberships_resting_on",
]

DELISTED = "DELISTED"


class ListEndReason(StrEnum):
    OBJECTION_REMOVED = "OBJECTION_REMOVED"
    REPAIRED = "REPAIRED"
    RECORD_REVOKED = "RECORD_REVOKED"
    PERFORMED = "PERFORMED"
    WITHDRAWN = "WITHDRAWN"
    TERM_ENDED = "TERM_ENDED"


async def end_membership(
    session: AsyncSession,
    membership: ListMembership,
    reason: ListEndReason,
    *,
    actor: Principal,
    at: datetime,
    detail: dict[str, Any] | None = None,
) -> None:
    """Move ``membership`` to ENDED (CONFLICT if already ended), audit it and
    announce it (``DELISTED``): the one way a list membership ends."""
    before = LIST.move(
        membership, ListMembershipStatus.ENDED, label=f"list membership {membership.id}"
    )
    membership.ended_at = membership.updated_at = at
    membership.end_reason = reason.value
    await bump_data_version(session, [membership.uscc])
    await record_change(
        session,
        actor=actor,
        action="list.end",
        outcome=DELISTED,
        at=at,
        subject=membership.uscc,
        categories=[repo.list_category(membership.kind).value],
        detail={
            "list": membership.id,
            "kind": membership.kind,
            "list_name": membership.list_name,
            "from": before,
            "reason": reason.value,
            **(detail or {}),
        },
    )
    # Monitoring holders and the enterprise hear of it (contract v2).
    await emit(
        session,
        EventType.DELISTED,
        subject=membership.uscc,
        at=at,
        list=list_snapshot(
            {
                "id": membership.id,
                "kind": membership.kind,
                "list_name": membership.list_name,
                "basis": membership.basis,
                "since": membership.since,
                "until": membership.until or calendar_day(at),
                "status": ListMembershipStatus.ENDED.value,
            }
        ),
    )


async def end_memberships_resting_on(
    session: AsyncSession,
    records: Iterable[tuple[str, str]],
    reason: ListEndReason,
    *,
    actor: Principal,
    at: datetime,
) -> int:
    """End every membership in force that names one of these records
    (``(source, source_id)``); how many ended."""
    ended = 0
    for m in await repo.memberships_resting_on(session, records):
        await end_membership(
            session,
            m,
            reason,
            actor=actor,
            at=at,
            detail={
                "record_source": m.record_source,
                "record_source_id": m.record_source_id,
            },
        )
        ended += 1
    return ended


async def end_memberships_on_record(
    session: AsyncSession,
    record: CreditRecord,
    reason: ListEndReason,
    *,
    actor: Principal,
    at: datetime,
) -> int:
    """:func:`end_memberships_resting_on` for one loaded record."""
    return await end_memberships_resting_on(
        session, [(record.source, record.source_id)], reason, actor=actor, at=at
    )
