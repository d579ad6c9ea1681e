"""What the rights queues (objections, repairs, commitments) share: who may
read them, their cursors, and how a page of ``hub.rights.queues`` becomes a
``Connection``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from hub.enums import PrincipalKind
from hub.rights.queues import Page
from schema.common import Connection, PageInfo, decode_cursor, encode_cursor
from schema.permissions import HasKind

__all__ = [
    "SubjectOrAdmin",
    "day_cursor",
    "instant_cursor",
    "page_connection",
]

ItemT = TypeVar("ItemT")
NodeT = TypeVar("NodeT")


class SubjectOrAdmin(HasKind):
    kinds = frozenset({PrincipalKind.SUBJECT, PrincipalKind.ADMIN})


def instant_cursor(after: str | None) -> tuple[datetime, str] | None:
    """(order instant, id) of an ``endCursor``; a bad one is VALIDATION_ERROR."""
    found = decode_cursor(after, 2, (datetime.fromisoformat, str))
    return (found[0], found[1]) if found else None


def day_cursor(after: str | None) -> tuple[date, str] | None:
    """(order day, id) of an ``endCursor``; a bad one is VALIDATION_ERROR."""
    found = decode_cursor(after, 2, (date.fromisoformat, str))
    return (found[0], found[1]) if found else None


def page_connection(
    page: Page[ItemT],
    *,
    node: Callable[[ItemT], NodeT],
    cursor: Callable[[ItemT], Sequence[Any]],
) -> Connection[NodeT]:
    """The page as a Connection.

    The end cursor is the last item looked at, shown or not, so a page whose
    items the door refused still leads on to the next.
    """
    found: Connection[NodeT] = Connection.build(
        page.items, page.more, page.total, node=node, cursor=cursor
    )
    found.page_info = PageInfo(
        has_next_page=page.more,
        end_cursor=encode_cursor(*page.end) if page.end else None,
    )
    return found
