"""Objections to list memberships (contract v2, "Lists").

An enterprise may object to being on a list as to any record (征信业管理条例
Art 25; 国办发〔2019〕35号 §八: 认定 with a procedure the party can
challenge).  Filing shows the membership ``DISPUTED`` at once but — unlike a
disputed record — the listing keeps its effect while the objection is open:
the list was decided by the authority that keeps it, and joint punishment
follows it until that decision is undone.  The reply is due on the same
deadline as a record objection (:func:`~hub.rights.deadlines.objection_due`).

An admin answers ``UPHELD`` (the membership is ``ACTIVE`` again) or
``REMOVED`` (it ends at once: status ``ENDED``, a ``DELISTED`` change in the
subject's log).  As with records, once an objection was answered a new one
needs a new reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from hub.access.door import Grant
from hub.audit.changes import record_change
from hub.auth.principal import Principal
from hub.enums import ListMembershipStatus, ListObjectionStatus
from hub.errors import ErrorCode, HubError
from hub.models import ListMembership, ListObjection, new_id
from hub.rights import repository as repo
from hub.rights.deadlines import objection_due
from hub.rights.memberships import ListEndReason, end_membership
from hub.rights.objections import MAX_TEXT, check_new_reason, is_overdue
from hub.rights.queues import Page, queue_action, show_one, show_queue
from hub.rights.states import LIST, LIST_OBJECTION

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = [
    "ListCase",
    "file_list_objection",
    "list_list_objections",
    "resolve_list_objection",
    "show_list_objection",
]

FILE = "list_objection.file"
RESOLVE = "list_objection.resolve"


@dataclass(frozen=True)
class ListCase:
    """A list objection with the membership it is about."""

    row: ListObjection
    membership: ListMembership


def _text(value: str | None, name: str) -> str:
    text = (value or "").strip()
    if not text or len(text) > MAX_TEXT:
        raise HubError(
            f"{name} must be 1–{MAX_TEXT} characters.", ErrorCode.VALIDATION_ERROR
        )
    return text


async def _own_membership(
    session: AsyncSession, actor: Principal, membership_id: str
) -> ListMembership:
    """The membership, if the actor is its subject or an admin; else NOT_FOUND
    (the same answer for "not yours" and "no such membership")."""
    try:
        mid = int(membership_id)
    except (TypeError, ValueError):
        raise HubError(
            f"No list membership {membership_id!r}.", ErrorCode.NOT_FOUND
        ) from None
    row = await repo.membership_to_change(session, mid)
    if row is None or not (
        actor.is_admin or (actor.is_subject and actor.uscc == row.uscc)
    ):
        raise HubError(
            f"No list membership {membership_id!r} of yours.", ErrorCode.NOT_FOUND
        )
    return row


def _category(m: ListMembership) -> list[str]:
    return [repo.list_category(m.kind).value]


async def file_list_objection(
    session: AsyncSession,
    hub: Hub,
    actor: Principal,
    *,
    membership_id: str,
    reason: str,
) -> ListObjection:
    """The subject (or an admin on its behalf) objects to one of its listings."""
    text = _text(reason, "reason")
    membership = await _own_membership(session, actor, membership_id)
    label = f"list membership {membership.id}"
    earlier = await repo.list_objections_on(session, membership.id)
    if any(o.status == ListObjectionStatus.OPEN for o in earlier):
        raise HubError(
            f"List membership {membership.id} already has an OPEN objection; wait "
            "for its answer.",
            ErrorCode.CONFLICT,
        )
    check_new_reason(
        text, [o.reason for o in earlier], f"List membership {membership.id}"
    )
    now = hub.clock.now()
    before = LIST.move(membership, ListMembershipStatus.DISPUTED, label=label)
    membership.updated_at = now
    row = ListObjection(
        id=new_id(),
        membership_id=membership.id,
        uscc=membership.uscc,
        status=ListObjectionStatus.OPEN.value,
        reason=text,
        filed_at=now,
        due_by=objection_due(now),
        filed_by=actor.id,
        overdue=False,
    )
    session.add(row)
    await record_change(
        session,
        actor=actor,
        action=FILE,
        outcome=ListMembershipStatus.DISPUTED.value,
        at=now,
        subject=membership.uscc,
        categories=_category(membership),
        detail={
            "list": membership.id,
            "objection": row.id,
            "from": before,
            "due_by": row.due_by.isoformat(),
            **({"on_behalf": True} if actor.is_admin else {}),
        },
    )
    await session.flush()
    return row


async def resolve_list_objection(
    session: AsyncSession,
    hub: Hub,
    actor: Principal,
    *,
    objection_id: str,
    resolution: ListObjectionStatus,
    note: str,
) -> ListObjection:
    """Admin's answer: UPHELD (listing stands) or REMOVED (listing ends at once)."""
    if resolution is ListObjectionStatus.OPEN:
        raise HubError(
            "resolution must be UPHELD or REMOVED.", ErrorCode.VALIDATION_ERROR
        )
    row = await session.get(ListObjection, objection_id)
    if row is None:
        raise HubError(f"No list objection {objection_id!r}.", ErrorCode.NOT_FOUND)
    text = _text(note, "note")
    label = f"list objection {row.id}"
    LIST_OBJECTION.check(row.status, resolution, label=label)
    membership = await repo.membership_to_change(session, row.membership_id)
    assert membership is not None  # objections go with their membership (cascade)
    now = hub.clock.now()
    late = is_overdue(row, now)
    await record_change(
        session,
        actor=actor,
        action=RESOLVE,
        outcome=resolution.value,
        at=now,
        subject=membership.uscc,
        categories=_category(membership),
        detail={"list": membership.id, "objection": row.id, "overdue": late},
    )
    if resolution is ListObjectionStatus.REMOVED:
        if membership.status != ListMembershipStatus.ENDED:
            await end_membership(
                session,
                membership,
                ListEndReason.OBJECTION_REMOVED,
                actor=actor,
                at=now,
                detail={"objection": row.id},
            )
    elif membership.status == ListMembershipStatus.DISPUTED:
        # UPHELD: the listing stands as it was.  (One that ended meanwhile,
        # say on a repair, stays ended.)
        LIST.move(membership, ListMembershipStatus.ACTIVE, label=label)
        membership.updated_at = now
    LIST_OBJECTION.move(row, resolution, label=label)
    row.overdue = late  # answered after the deadline: it stays on the record
    row.resolved_at, row.resolved_by, row.note = now, actor.id, text
    await session.flush()
    return row


async def _cases(
    session: AsyncSession, grants: Sequence[Grant], ids: Sequence[str]
) -> dict[str, ListCase]:
    found = await repo.list_objections_by_id(session, grants, ids)
    return {id_: ListCase(o, m) for id_, (o, m) in found.items()}


async def list_list_objections(
    session: AsyncSession,
    hub: Hub,
    actor: Principal,
    *,
    status: ListObjectionStatus | None,
    first: int,
    after: tuple[datetime, str] | None,
) -> Page[ListCase]:
    """Subjects see their own; admins all, oldest reply deadline first.  Each
    subject shown is audited by the door: ``list_objection.review`` (basis
    ADMIN_QUEUE) for the admin, ``list_objection.read`` for the subject."""
    return await show_queue(
        session,
        hub,
        actor,
        "list_objection",
        repo.list_objection_keys,
        status=str(status) if status else None,
        first=first,
        after=after,
        load=_cases,
    )


async def show_list_objection(
    session: AsyncSession, hub: Hub, actor: Principal, row: ListObjection
) -> ListCase:
    """``row`` with its membership, to answer a mutation (a read through the door)."""
    keys, _ = await repo.list_objection_keys(session, ids=[row.id])
    action = queue_action(actor, "list_objection")
    return await show_one(session, hub, actor, keys[0], action=action, load=_cases)
