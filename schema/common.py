"""Types and helpers shared by every domain module: pages and cursors."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import strawberry

from hub.errors import ErrorCode, HubError
from schema.limits import MAX_LIST

__all__ = [
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


def encode_cursor(*values: Any) -> str:
    raw = json.dumps(list(values), separators=(",", ":"), default=str)
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
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != arity:
            raise ValueError
        if parse is not None:
            values = [p(v) for p, v in zip(parse, values, strict=True)]
        return values
    except (ValueError, TypeError) as exc:
        raise HubError(
            "Invalid cursor: pass an endCursor returned by this field.",
            ErrorCode.VALIDATION_ERROR,
        ) from exc


def check_first(first: int | None, default: int = 20) -> int:
    if first is None:
        return default
    if first < 0 or first > MAX_LIST:
        raise HubError(
            f"'first' must be between 0 and {MAX_LIST}, got {first}.",
            ErrorCode.VALIDATION_ERROR,
        )
    return first
