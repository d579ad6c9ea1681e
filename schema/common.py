"""Types and helpers shared by every domain module: pages and cursors.

Every list field answers a ``Connection[Node]``; Strawberry names the
generic types after their node (``Connection[Consent]`` is
``ConsentConnection``, its edges ``ConsentEdge``)::

    return Connection.build(rows, more, total,
                            node=Consent.from_row,
                            cursor=lambda r: (r.granted_at.isoformat(), r.id))
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar

import strawberry

from hub.errors import ErrorCode, HubError
from schema.limits import MAX_LIST

__all__ = [
    "Connection",
    "Edge",
    "PageInfo",
    "check_first",
    "decode_cursor",
    "encode_cursor",
    "page_info",
]


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


def page_info(more: bool, edges: list[Any]) -> PageInfo:
    """PageInfo of a page of ``edges`` (each with a ``cursor``)."""
    return PageInfo(has_next_page=more, end_cursor=edges[-1].cursor if edges else None)


NodeT = TypeVar("NodeT")
RowT = TypeVar("RowT")


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo
    total_count: int

    @classmethod
    def build(
        cls,
        rows: Iterable[RowT],
        more: bool,
        total: int,
        *,
        node: Callable[[RowT], NodeT],
        cursor: Callable[[RowT], Sequence[Any]],
    ) -> Connection[NodeT]:
        """A page of ``rows``: ``node`` makes each GraphQL node, ``cursor``
        the values its opaque cursor carries."""
        edges = [Edge(cursor=encode_cursor(*cursor(r)), node=node(r)) for r in rows]
        return cls(edges=edges, page_info=page_info(more, edges), total_count=total)

    @classmethod
    def empty(cls) -> Connection[NodeT]:
        return cls(edges=[], page_info=page_info(False, []), total_count=0)


# Built once: ``json.dumps`` with options makes a new encoder per call.
_CURSOR_JSON = json.JSONEncoder(separators=(",", ":"), default=str).encode


def encode_cursor(*values: Any) -> str:
    raw = _CURSOR_JSON(list(values))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(
    cursor: str | None,
    arity: int = 1,
    parse: tuple[Callable[[Any], Any], ...] | None = None,
) -> list[Any] | None:
    """Opaque cursor back to its values; a bad cursor is VALIDATION_ERROR.

    ``parse`` converts each value (e.g. ``(date.fromisoformat, int)``) so a
    cursor that decodes but does not fit is refused here too.
    """
    if cursor is None:
        return None
    try:
        if len(cursor) > MAX_CURSOR:
            raise ValueError
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != arity:
            raise ValueError
        if not all(_flat(v) for v in values):
            raise ValueError
        if parse is not None:
            values = [_STRICT.get(p, p)(v) for p, v in zip(parse, values, strict=True)]
        return values
    except (ValueError, TypeError) as exc:
        raise HubError(
            "Invalid cursor: pass an endCursor returned by this field.",
            ErrorCode.VALIDATION_ERROR,
        ) from exc


# A cursor carries a few short scalars (a date, an id, a counter); anything
# longer or nested was not made here.
MAX_CURSOR = 256
_INT64 = 2**63


def _int(value: Any) -> int:
    # ``int("9" * 30)`` would parse a string into a number no column holds:
    # a counter in a cursor was written as a JSON integer, within int64.
    if type(value) is not int or not -_INT64 <= value < _INT64:
        raise ValueError("not a cursor integer")
    return value


def _instant(value: Any) -> datetime:
    # Instants in cursors are written with their offset; a naive one would be
    # compared with timestamps in UTC on one database and local on another.
    found = datetime.fromisoformat(value)
    if found.tzinfo is None:
        raise ValueError("cursor instant without an offset")
    return found


# Parsers callers name, replaced by their strict form.
_STRICT: dict[Callable[[Any], Any], Callable[[Any], Any]] = {
    int: _int,
    datetime.fromisoformat: _instant,
}


def _flat(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return -_INT64 <= value < _INT64
    return isinstance(value, str) and len(value) <= 64


def check_first(first: int | None, default: int = 20) -> int:
    if first is None:
        return default
    if first < 0 or first > MAX_LIST:
        raise HubError(
            f"'first' must be between 0 and {MAX_LIST}, got {first}.",
            ErrorCode.VALIDATION_ERROR,
        )
    return first
