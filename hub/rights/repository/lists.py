"""List memberships and list objections: keys for the door, loads under grants,
and the memberships a change ends."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.access.door import Grant, admit
from hub.enums import DataCategory, ListKind, ListMembershipStatus, ListObjectionStatus
from hub.models import ListMembership, ListObjection
from hub.profiles.visibility import list_kinds_for
from hub.rights.repository.queues import QueueKey

__all__ = [
    "dishonest_memberships_without_term",
    "list_category",
    "list_objection_keys",
    "list_objections_by_id",
    "list_objections_on",
    "membership_to_change",
    "memberships_resting_on",
    "overdue_list_objections",
]

_lm = ListMembership
_lo = ListObjection

# Which data category a list membership comes with (interfaces.md "Profile
# categories"): FOCUS with PENALTY, every other list with BASIC.
_CATEGORY = case(
    (_lm.kind == ListKind.FOCUS.value, DataCategory.PENALTY.value),
    else_=DataCategory.BASIC.value,
)


def list_category(kind: str) -> DataCategory:
    return DataCategory.PENALTY if kind == ListKind.FOCUS else DataCategory.BASIC


async def membership_to_change(
    session: AsyncSession, membership_id: int
) -> ListMembership | None:
    """The membership a change (objection, end) applies to; never shown from here."""
    return await session.get(ListMembership, membership_id)


async def memberships_resting_on(
    session: AsyncSession, records: Iterable[tuple[str, str]]
) -> list[ListMembership]:
    """Memberships not yet ENDED that name one of these (source, source_id)."""
    by_source: dict[str, list[str]] = {}
    for source, source_id in records:
        by_source.setdefault(source, []).append(source_id)
    if not by_source:
        return []
    rows = await session.scalars(
        select(ListMembership)
        .where(
            _lm.status != ListMembershipStatus.ENDED.value,
            or_(
                *(
                    and_(_lm.record_source == src, _lm.record_source_id.in_(ids))
                    for src, ids in by_source.items()
                )
            ),
        )
        .order_by(_lm.id)
    )
    return list(rows)


async def dishonest_memberships_without_term(
    session: AsyncSession, list_name: str
) -> list[ListMembership]:
    """BLACK memberships of ``list_name`` in force without an ``until``."""
    rows = await session.scalars(
        select(ListMembership)
        .where(
            _lm.kind == ListKind.BLACK.value,
            _lm.list_name == list_name,
            _lm.until.is_(None),
            _lm.status != ListMembershipStatus.ENDED.value,
        )
        .order_by(_lm.id)
    )
    return list(rows)


async def list_objections_on(
    session: AsyncSession, membership_id: int
) -> list[ListObjection]:
    rows = await session.scalars(
        select(ListObjection)
        .where(_lo.membership_id == membership_id)
        .order_by(_lo.filed_at, _lo.id)
    )
    return list(rows)


async def list_objection_keys(
    session: AsyncSession,
    *,
    uscc: str | None = None,
    status: str | None = None,
    ids: Sequence[str] | None = None,
    first: int | None = None,
    after: tuple[datetime, str] | None = None,
) -> tuple[list[QueueKey], int]:
    """Keys of list objections, oldest reply deadline first, ``first + 1`` of
    them after ``after``; and how many match (0 when asked by ``ids``)."""
    conds: list[Any] = []
    if uscc is not None:
        conds.append(_lo.uscc == uscc)
    if status is not None:
        conds.append(_lo.status == status)
    if ids is not None:
        conds.append(_lo.id.in_(list(ids)))
    total = (
        int(await session.scalar(select(func.count(_lo.id)).where(*conds)) or 0)
        if ids is None
        else 0
    )
    if after is not None:
        conds.append(
            or_(_lo.due_by > after[0], and_(_lo.due_by == after[0], _lo.id > after[1]))
        )
    query = (
        select(_lo.id, _lo.uscc, _CATEGORY, _lo.due_by)
        .join(_lm, _lm.id == _lo.membership_id)
        .where(*conds)
        .order_by(_lo.due_by, _lo.id)
    )
    if first is not None:
        query = query.limit(first + 1)
    rows = await session.execute(query)
    return [QueueKey(*r) for r in rows], total


async def list_objections_by_id(
    session: AsyncSession, grants: Sequence[Grant], ids: Sequence[str]
) -> dict[str, tuple[ListObjection, ListMembership]]:
    """List objections among ``ids``, each with its membership, for the
    subjects and list kinds ``grants`` reach (FOCUS with PENALTY, others BASIC)."""
    admit(*grants)
    if not ids or not grants:
        return {}
    by_kinds: dict[tuple[str, ...], list[str]] = {}
    for g in grants:
        by_kinds.setdefault(tuple(list_kinds_for(g.categories)), []).append(g.uscc)
    reach = or_(
        false(),
        *(
            and_(_lm.uscc.in_(usccs), _lm.kind.in_(kinds))
            for kinds, usccs in by_kinds.items()
            if kinds
        ),
    )
    rows = await session.execute(
        select(ListObjection, ListMembership)
        .join(_lm, _lm.id == _lo.membership_id)
        .where(_lo.id.in_(sorted(set(ids))), reach)
    )
    return {o.id: (o, m) for o, m in rows}


async def overdue_list_objections(
    session: AsyncSession, now: datetime
) -> list[ListObjection]:
    rows = await session.scalars(
        select(ListObjection)
        .where(
            _lo.status == ListObjectionStatus.OPEN.value,
            _lo.overdue.is_(False),
            _lo.due_by <= now,
        )
        .order_by(_lo.due_by, _lo.id)
    )
    return list(rows)
