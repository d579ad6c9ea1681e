"""Typed failures of an external source.

All carry ``SOURCE_UNAVAILABLE`` plus a short ``reason`` that ends up in the
profile's ``sources[].error`` as ``"<reason>: <message>"``.
"""

from __future__ import annotations

from hub.errors import ErrorCode, HubError

__all__ = [
    "CircuitOpen",
    "ConnectorError",
    "MalformedPayload",
    "SourceConnectionError",
    "SourceHTTPError",
    "SourceTimeout",
    "WrongSubject",
]


class ConnectorError(HubError):
    reason = "SOURCE_ERROR"
    #: Worth another attempt within the same fetch (timeouts, 5xx, resets).
    retryable = False

    def __init__(self, source: str, message: str) -> None:
        super().__init__(
            f"{source}: {message}",
            ErrorCode.SOURCE_UNAVAILABLE,
            source=source,
            reason=self.reason,
        )
        self.source = source
        self.detail = message

    @property
    def status_text(self) -> str:
        """What ``source_status.error`` stores."""
        return f"{self.reason}: {self.detail}"


class SourceTimeout(ConnectorError):
    reason = "TIMEOUT"
    retryable = True


class SourceConnectionError(ConnectorError):
    reason = "CONNECTION_ERROR"
    retryable = True


class SourceHTTPError(ConnectorError):
    reason = "HTTP_ERROR"

    def __init__(self, source: str, status: int) -> None:
        super().__init__(source, f"the source answered HTTP {status}")
        self.status = status
        self.retryable = status >= 500


class CircuitOpen(ConnectorError):
    reason = "CIRCUIT_OPEN"


class MalformedPayload(ConnectorError):
    """The answer cannot be trusted; it is quarantined, never half-imported."""

    reason = "MALFORMED_PAYLOAD"

    def __init__(self, source: str, message: str, raw: str) -> None:
        super().__init__(source, message)
        self.raw = raw


class WrongSubject(MalformedPayload):
    """The source answered about another enterprise than the one asked for."""

    reason = "WRONG_USCC"
