"""Applying to, deciding on and reading the lending white list.

平信用〔2021〕1号 (企业"白名单"): an enterprise applies and chooses what banks
may see with its entry — BASIC (its registration data) always, EVALUATION to
add its grade; the credit centre (an admin) decides; an approved application
is a WHITE list membership until the enterprise withdraws.  Banks and admins
page through approved entries on the access basis WHITE_LIST: one door event
per entry shown, in each enterprise's access log, with only what it shared.
Services never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from hub.access.door import open_door, open_doors
from hub.audit.changes import record_change
from hub.auth.principal import Principal
from hub.clock import calendar_day
from hub.decisions.facts import load_public
from hub.entities import bump_data_version, check_industry_code, check_region_code
from hub.enums import (
    AccessBasis,
    DataCategory,
    Grade,
    ListKind,
    ListMembershipStatus,
    PrincipalKind,
    WhiteListStatus,
)
from hub.errors import ErrorCode, HubError
from hub.evaluation.service import evaluation_for
from hub.models import Entity, WhiteListApplication, new_id
from hub.rights.memberships import ListEndReason, end_membership
from hub.rights.states import StateMachine
from hub.white_list import repository as repo

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = [
    "SHAREABLE",
    "WhiteListEntry",
    "apply",
    "applications",
    "decide",
    "entries",
    "withdraw",
]

S = WhiteListStatus
# What an entry can show: registration data, and the grade if chosen.
SHAREABLE = frozenset({DataCategory.BASIC, DataCategory.EVALUATION})
BASIS = "平信用〔2021〕1号 企业“白名单”"
SOURCE = "white-list"
MAX_NOTE = 2000
STATES = StateMachine(
    "white-list application",
    frozenset(
        (str(a), str(b))
        for a, b in (
            (S.PENDING, S.APPROVED),
            (S.PENDING, S.REJECTED),
            (S.PENDING, S.WITHDRAWN),
            (S.APPROVED, S.WITHDRAWN),
        )
    ),
)


def _text(value: str | None, name: str, *, required: bool, limit: int) -> str | None:
    text = (value or "").strip()
    if not text:
        if required:
            raise HubError(f"{name} must not be empty.", ErrorCode.VALIDATION_ERROR)
        return None
    if len(text) > limit:
        raise HubError(
            f"{name} may be at most {limit} characters.", ErrorCode.VALIDATION_ERROR
        )
    return text


async def apply(
    session: AsyncSession,
    hub: Hub,
    actor: Principal,
    *,
    list_name: str,
    shared: list[DataCategory],
    note: str | None = None,
) -> WhiteListApplication:
    """The enterprise applies; BASIC is always shared, EVALUATION optionally."""
    if actor.kind is not PrincipalKind.SUBJECT or actor.uscc is None:
        raise HubError(
            "Only an enterprise applies to a white list, for itself.",
            ErrorCode.FORBIDDEN,
        )
    name = _text(list_name, "listName", required=True, limit=200)
    assert name is not None
    other = sorted(set(shared) - SHAREABLE)
    if other:
        raise HubError(
            f"A white-list entry can show only BASIC (always) and EVALUATION (the "
            f"grade), not {', '.join(other)}.",
            ErrorCode.VALIDATION_ERROR,
        )
    if await session.get(Entity, actor.uscc) is None:
        raise HubError(f"No entity {actor.uscc} is registered.", ErrorCode.NOT_FOUND)
    if await repo.open_application(session, actor.uscc, name) is not None:
        raise HubError(
            f"{actor.uscc} already has a PENDING or APPROVED application to "
            f"{name!r}; withdraw it first to apply again.",
            ErrorCode.CONFLICT,
        )
    now = hub.clock.now()
    row = WhiteListApplication(
        id=new_id(),
        uscc=actor.uscc,
        list_name=name,
        shared=sorted(str(c) for c in {DataCategory.BASIC, *shared}),
        status=S.PENDING.value,
        note=_text(note, "note", required=False, limit=MAX_NOTE),
        applied_at=now,
    )
    session.add(row)
    await record_change(
        session,
        actor=actor,
        action="whitelist.apply",
        outcome=S.PENDING.value,
        at=now,
        subject=actor.uscc,
        categories=row.shared,
        detail={"application": row.id, "list": name},
    )
    return row


async def _mine_or_admin(
    session: AsyncSession, actor: Principal, app_id: str
) -> WhiteListApplication:
    row = await repo.application(session, app_id)
    if row is None or not (actor.is_admin or actor.uscc == row.uscc):
        raise HubError(f"No white-list application {app_id}.", ErrorCode.NOT_FOUND)
    return row


async def _refuse_if_black_listed(
    session: AsyncSession, hub: Hub, actor: Principal, uscc: str
) -> None:
    # Joint punishment (国办发〔2019〕35号 §八; 平信用〔2021〕1号 §11): no
    # incentive for a BLACK-listed enterprise.  Public lists, read on the
    # admin-queue basis.
    grant = await open_door(
        session,
        hub,
        actor,
        uscc=uscc,
        purpose=None,
        action="whitelist.review",
        categories=[DataCategory.BASIC],
        basis=AccessBasis.ADMIN_QUEUE,
    )
    data = await load_public(session, hub, grant)
    black = [m for m in (data.lists if data else ()) if m.kind == ListKind.BLACK]
    if black:
        raise HubError(
            f"{uscc} is on the BLACK list {black[0].list_name!r} "
            f"({black[0].basis}): joint punishment excludes it from white lists "
            "(国办发〔2019〕35号 §八). Reject the application with a note.",
            ErrorCode.CONFLICT,
        )


async def decide(
    session: AsyncSession,
    hub: Hub,
    actor: Principal,
    *,
    app_id: str,
    approve: bool,
    note: str,
) -> WhiteListApplication:
    """An admin approves (a WHITE membership from today) or rejects."""
    if not actor.is_admin:
        raise HubError(
            "The credit centre (an admin) decides white-list applications.",
            ErrorCode.FORBIDDEN,
        )
    row = await _mine_or_admin(session, actor, app_id)
    text = _text(note, "note", required=True, limit=MAX_NOTE)
    to = S.APPROVED if approve else S.REJECTED
    STATES.check(row.status, to, label=f"application {row.id}")
    now, today = hub.clock.now(), hub.clock.today()
    if approve:
        await _refuse_if_black_listed(session, hub, actor, row.uscc)
        row.membership_id = await repo.add_membership(
            session,
            {
                "uscc": row.uscc,
                "kind": ListKind.WHITE.value,
                "list_name": row.list_name,
                "basis": f"{BASIS}（申请 {row.id}）",
                "since": today,
                "until": None,
                "source": SOURCE,
                "created_at": now,
                "updated_at": now,
            },
        )
        await bump_data_version(session, [row.uscc])
    STATES.move(row, to, label=f"application {row.id}")
    row.decided_at, row.decided_by, row.decision_note = now, actor.id, text
    await record_change(
        session,
        actor=actor,
        action="whitelist.decide",
        outcome=to.value,
        at=now,
        subject=row.uscc,
        detail={"application": row.id, "list": row.list_name, "note": text},
    )
    return row


async def withdraw(
    session: AsyncSession, hub: Hub, actor: Principal, *, app_id: str
) -> WhiteListApplication:
    """The enterprise (or an admin) withdraws; an approved entry ends today."""
    row = await _mine_or_admin(session, actor, app_id)
    was = STATES.move(row, S.WITHDRAWN, label=f"application {row.id}")
    now = hub.clock.now()
    row.withdrawn_at = now
    membership = (
        await repo.membership(session, row.membership_id) if was == S.APPROVED else None
    )
    if membership is not None and membership.status != ListMembershipStatus.ENDED:
        # One way to end a list membership, audited as list.end (DELISTED).
        await end_membership(
            session, membership, ListEndReason.WITHDRAWN, actor=actor, at=now
        )
    await record_change(
        session,
        actor=actor,
        action="whitelist.withdraw",
        outcome=S.WITHDRAWN.value,
        at=now,
        subject=row.uscc,
        detail={"application": row.id, "list": row.list_name, "was": was},
    )
    return row


async def applications(
    session: AsyncSession,
    actor: Principal,
    *,
    status: WhiteListStatus | None,
    first: int,
    after_id: str | None,
) -> list[WhiteListApplication]:
    """The enterprise's own applications; every application for an admin."""
    if not (actor.is_admin or (actor.is_subject and actor.uscc)):
        raise HubError(
            "White-list applications are for the enterprise and admins.",
            ErrorCode.FORBIDDEN,
        )
    return await repo.application_page(
        session,
        uscc=None if actor.is_admin else actor.uscc,
        status=str(status) if status else None,
        limit=first,
        after_id=after_id,
    )


@dataclass(frozen=True, slots=True)
class WhiteListEntry:
    """One approved entry as a bank sees it: only what the enterprise shared."""

    entity: Entity
    application_id: str
    list_name: str
    since: date
    decided_at: datetime
    grade: Grade | None


async def entries(
    session: AsyncSession,
    hub: Hub,
    actor: Principal,
    *,
    list_name: str | None,
    region_code: str | None,
    industry_code: str | None,
    first: int,
    after: tuple[datetime, str] | None,
) -> tuple[list[WhiteListEntry], bool, int]:
    """A page of approved entries, each read through the door once.

    The grade is loaded only for entries whose enterprise shared EVALUATION:
    the door bounds each grant to what the application shared.
    """
    if region_code is not None:
        check_region_code(region_code)
    if industry_code is not None:
        check_industry_code(industry_code)
    rows, total = await repo.entry_page(
        session,
        list_name=list_name,
        region_code=region_code,
        industry_code=industry_code,
        limit=first + 1,
        after=after,
    )
    more, rows = len(rows) > first, rows[:first]
    call = new_id()  # ties together the events of this one read of the list
    by_shared: dict[frozenset[DataCategory], list[str]] = {}
    for app, _ in rows:
        shared = frozenset(DataCategory(c) for c in app.shared) & SHAREABLE
        by_shared.setdefault(shared, []).append(app.uscc)
    grants = {}
    for shared, usccs in by_shared.items():
        opened = await open_doors(
            session,
            hub,
            actor,
            usccs=usccs,
            purpose=None,
            action="whitelist.read",
            categories=shared,
            detail={"call": call},
            basis=AccessBasis.WHITE_LIST,
        )
        for uscc, grant in opened.items():
            if isinstance(grant, HubError):  # audited by the door
                raise grant
            grants[uscc] = grant
    out = []
    for app, entity in rows:
        grant = grants[app.uscc]
        grade = None
        if DataCategory.EVALUATION in grant.categories:
            grade = (await evaluation_for(session, hub, grant)).grade
        decided = app.decided_at or app.applied_at
        # The membership began on the China calendar day of the approval.
        since = calendar_day(decided)
        out.append(WhiteListEntry(entity, app.id, app.list_name, since, decided, grade))
    return out, more, total
