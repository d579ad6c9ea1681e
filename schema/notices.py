"""The enterprise's inbox: ``notices`` and ``markNoticesRead``."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from hub.events import notices as service
from hub.events.notices import NoticeView
from schema.common import (
    Connection,
    Edge,
    check_first,
    decode_cursor,
    encode_cursor,
    page_info,
)
from schema.events import Event
from schema.permissions import IsSubject

__all__ = ["Notice", "NoticeConnection", "NoticeMutation", "NoticeQuery"]


@strawberry.type
class Notice:
    id: strawberry.ID
    event: Event
    title: str
    body: str
    read: bool
    created_at: datetime

    @classmethod
    def from_view(cls, v: NoticeView) -> Notice:
        return cls(
            id=strawberry.ID(v.notice.id),
            event=Event.from_payload(v.event),
            title=v.notice.title,
            body=v.notice.body,
            read=v.notice.read_at is not None,
            created_at=v.notice.created_at,
        )


@strawberry.type
class NoticeConnection(Connection[Notice]):
    unread: int = strawberry.field(description="Unread notices in the whole inbox.")


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


@strawberry.type
class NoticeQuery:
    @strawberry.field(
        description="The subject's inbox: requests, reminders, corrections, events "
        "about it (newest first).",
        permission_classes=[IsSubject],
    )
    async def notices(
        self,
        info: Info,
        unread_only: bool | None = False,
        first: int | None = 20,
        after: str | None = None,
    ) -> NoticeConnection:
        ctx = info.context
        cursor = decode_cursor(after, 2, (_instant, str))
        async with ctx.db() as session:
            inbox = await service.list_notices(
                session,
                ctx.hub,
                ctx.principal,
                unread_only=bool(unread_only),
                first=check_first(first),
                after=(cursor[0], cursor[1]) if cursor else None,
            )
        edges = [
            Edge(
                cursor=encode_cursor(v.notice.created_at.isoformat(), v.notice.id),
                node=Notice.from_view(v),
            )
            for v in inbox.items
        ]
        return NoticeConnection(
            edges=edges,
            page_info=page_info(inbox.more, edges),
            total_count=inbox.total,
            unread=inbox.unread,
        )


@strawberry.type
class NoticeMutation:
    @strawberry.mutation(
        description="Mark these notices read; returns how many were unread.",
        permission_classes=[IsSubject],
    )
    async def mark_notices_read(self, info: Info, ids: list[strawberry.ID]) -> int:
        ctx = info.context
        async with ctx.db() as session:
            return await service.mark_read(
                session, ctx.hub, ctx.principal, [str(i) for i in ids]
            )
