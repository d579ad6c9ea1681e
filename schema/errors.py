"""Every GraphQL error leaves with a stable ``extensions.code`` and no traceback."""

from __future__ import annotations

import logging

from graphql import GraphQLError
from pydantic import ValidationError
from strawberry.extensions import MaskErrors

from hub.errors import ErrorCode, HubError
from hub.outages import BackendOutage, OutageLog, outage_of
from hub.unit_of_work import idempotency_race

__all__ = ["CodedErrors", "coded_error", "internal_error"]

log = logging.getLogger("hub.graphql")

_TOO_COMPLEX_HINTS = ("tokens", "exceeds maximum operation depth", "aliases found")


def _root(error: BaseException | None) -> BaseException | None:
    # graphql-core wraps scalar and resolver failures; find what was raised.
    seen = 0
    while isinstance(error, GraphQLError) and error.original_error and seen < 5:
        error, seen = error.original_error, seen + 1
    return error


def internal_error(message: str | None = None) -> GraphQLError:
    return GraphQLError(
        message or "Internal error; it has been logged. Try again later.",
        extensions={"code": str(ErrorCode.INTERNAL)},
    )


def coded_error(error: GraphQLError, outages: OutageLog | None = None) -> GraphQLError:
    """Rewrite ``error`` into its public, coded form.

    A backend outage is ``INTERNAL`` too, but reported to ``outages`` (one
    line a minute) instead of logging a traceback per request.
    """
    root = _root(error.original_error)
    if isinstance(root, BackendOutage):
        return error  # already coded (a resolver ran into the same outage)
    if root is not None and (backend := outage_of(root)) is not None:
        if outages is not None:
            outages.report(backend, root)
        outage = BackendOutage(backend)
        return GraphQLError(
            str(outage),
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=outage,
            extensions={"code": str(ErrorCode.INTERNAL)},
        )
    if isinstance(root, HubError):
        message, extensions = root.message, root.extensions()
    elif isinstance(root, ValidationError):
        message = "Invalid input: " + "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'value'}: {e['msg']}"
            for e in root.errors()
        )
        extensions = {"code": str(ErrorCode.VALIDATION_ERROR)}
    elif root is None:
        existing = (error.extensions or {}).get("code")
        if existing:
            message, extensions = error.message, dict(error.extensions or {})
        elif any(h in error.message for h in _TOO_COMPLEX_HINTS):
            message = error.message
            extensions = {"code": str(ErrorCode.QUERY_TOO_COMPLEX)}
        else:
            message = error.message
            extensions = {"code": str(ErrorCode.VALIDATION_ERROR)}
    elif (race := idempotency_race(root)) is not None:
        # Two requests raced with one idempotency key (flushed mid-resolver).
        message, extensions = race.message, race.extensions()
    elif error.path is None:
        # Raised before execution (variable coercion): the request was bad.
        message = error.message
        extensions = {"code": str(ErrorCode.VALIDATION_ERROR)}
    else:
        log.error("unexpected error at %s", error.path, exc_info=root)
        return GraphQLError(
            "Internal error; it has been logged. Try again later.",
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": str(ErrorCode.INTERNAL)},
        )
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=root if isinstance(root, HubError) else None,
        extensions=extensions,
    )


class CodedErrors(MaskErrors):
    """MaskErrors that keeps expected errors (with their code) and hides the rest."""

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        hub = getattr(self.execution_context.context, "hub", None)
        return coded_error(error, getattr(hub, "outages", None))
