"""Typed errors with stable codes (``extensions.code`` in GraphQL)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

__all__ = ["ErrorCode", "HubError"]


class ErrorCode(StrEnum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    CONSENT_REQUIRED = "CONSENT_REQUIRED"
    INVALID_USCC = "INVALID_USCC"
    NOT_FOUND = "NOT_FOUND"
    VALIDATION_ERROR = "VALIDATION_ERROR"
    RATE_LIMITED = "RATE_LIMITED"
    QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
    SOURCE_UNAVAILABLE = "SOURCE_UNAVAILABLE"
    CONFLICT = "CONFLICT"
    INTERNAL = "INTERNAL"


class HubError(Exception):
    """An expected failure the caller can act on.

    The message says what was wrong and what to do; ``extra`` is merged into
    the GraphQL ``extensions`` (e.g. ``missingCategories``).
    """

    code: ErrorCode = ErrorCode.INTERNAL

    def __init__(
        self, message: str, code: ErrorCode | None = None, **extra: Any
    ) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message
        self.extra = extra

    def extensions(self) -> dict[str, Any]:
        return {"code": str(self.code), **self.extra}


def error(code: ErrorCode, message: str, **extra: Any) -> HubError:
    return HubError(message, code, **extra)
