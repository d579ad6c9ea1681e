"""The enterprise's inbox: every event about it, with a Chinese title and body.

Notices are written when their event is routed (:mod:`hub.events.routing`).
Reading them is the enterprise reading its own data: the records the events
are about are loaded live, through the door (its own access, action
``notice.read``, one event per page that shows records), and shown with
every status marker — or not at all once deleted (征信业管理条例 Art 16).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub.access.door import open_door
from hub.auth.principal import Principal
from hub.enums import DataCategory
from hub.errors import ErrorCode, HubError
from hub.events import repository as repo
from hub.events.payloads import event_payload, record_json
from hub.models import Notice
from hub.rights import repository as rights_repo

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = ["Inbox", "NoticeView", "list_notices", "mark_read"]


@dataclass(frozen=True, slots=True)
class NoticeView:
    notice: Notice
    #: The event as the enterprise sees it (``hub.events.payloads``).
    event: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Inbox:
    items: list[NoticeView]
    more: bool
    total: int
    unread: int


def _subject(principal: Principal) -> str:
    if not principal.is_subject or principal.uscc is None:
        raise HubError(
            "Notices are the enterprise's own inbox; use a SUBJECT token.",
            ErrorCode.FORBIDDEN,
        )
    return principal.uscc


async def list_notices(
    session: AsyncSession,
    hub: Hub,
    principal: Principal,
    *,
    unread_only: bool,
    first: int,
    after: tuple[datetime, str] | None,
) -> Inbox:
    """A page of the enterprise's notices, newest first."""
    uscc = _subject(principal)
    rows, total, unread = await repo.notices_page(
        session, uscc, unread_only=unread_only, first=first, after=after
    )
    more, rows = len(rows) > first, rows[:first]
    ids = sorted({e.record_id for _, e in rows if e.record_id is not None})
    records: dict[int, Any] = {}
    if ids:
        categories = {DataCategory(str(e.category)) for _, e in rows if e.category}
        grant = await open_door(
            session,
            hub,
            principal,
            uscc=uscc,
            purpose=None,
            action="notice.read",
            categories=categories,
        )
        records = await rights_repo.records_by_id(session, [grant], ids)
    items = []
    for notice, event in rows:
        row = records.get(event.record_id or 0)
        record = record_json(row) if row is not None else None
        items.append(NoticeView(notice, event_payload(event, record=record)))
    return Inbox(items, more, total, unread)


async def mark_read(
    session: AsyncSession, hub: Hub, principal: Principal, ids: list[str]
) -> int:
    """Mark these of the enterprise's notices read; how many were unread."""
    uscc = _subject(principal)
    return await repo.mark_read(session, uscc, ids, hub.clock.now())
