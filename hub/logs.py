"""Structured logs: one format for the hub, uvicorn and every library.

Everything logs through the standard library (``logging.getLogger``); the
root handler's :class:`LineFormatter` gathers each record's fields and renders
them with structlog's renderers, readable console lines by default or one
JSON object per line with ``HUB_LOG_FORMAT=json``.  Lines written while a
request is served carry its ``request_id``, the ``principal``, the GraphQL
``operation`` (bound by :mod:`hub.request_log` and the GraphQL view with
:func:`bind_request`) and the ``audit_events`` written so far::

    {"event": "request", "request_id": "3f2a…", "principal": "cl_…",
     "operation": "Profile", "audit_events": ["ev_…"], "status": 200, …}

Tokens and secrets never reach the output: :func:`redact` masks bearer
tokens, JWTs, webhook secrets and values under secret-sounding keys,
whatever logged them.
"""

from __future__ import annotations

import logging
import re
import sys
from contextvars import ContextVar, Token
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Literal

import structlog
from structlog.types import EventDict

from hub.tracing import trace_ids

__all__ = [
    "LineFormatter",
    "LogFormat",
    "audit_events",
    "bind_request",
    "request_fields",
    "configure_logging",
    "note_audit_event",
    "redact",
    "start_audit_events",
    "stop_audit_events",
]

LogFormat = Literal["console", "json"]

# The audit event ids of the request being served (a list shared with the
# tasks it spawns, so a batch read's events all land in it).
_AUDIT_EVENTS: ContextVar[list[str] | None] = ContextVar(
    "hub_audit_events", default=None
)

# The fields of the request being served (request_id, principal, operation):
# one dict per request, shared with the tasks it spawns.
_REQUEST: ContextVar[dict[str, Any] | None] = ContextVar(
    "hub_request_fields", default=None
)

# Values that are credentials whatever key they sit under.
_SECRET_PATTERNS = (
    # compact JWS/JWT (access tokens, receipts, checkpoints)
    re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"),
    re.compile(r"(?i)(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"),
    re.compile(r"whsec_[A-Za-z0-9+/=_-]+"),
    re.compile(r"(?i)((?:client_secret|secret|token|password|key)=)[^&\s\"']+"),
    re.compile(r"(?<=://)([^:/@\s]+):([^@\s]+)@"),
    # A report's id is the capability to read it (GET /reports/{id} needs no
    # token): keep enough to tell reports apart, not to open one.
    re.compile(r"(/reports/[A-Za-z0-9_-]{6})[A-Za-z0-9_-]+"),
)
_SECRET_KEYS = re.compile(r"(?i)(secret|token|password|authorization|api_key|cookie)")


# Keys repeat (the same few dozen names on every line): decided once each.
@lru_cache(maxsize=4096)
def _secret_key(key: str) -> bool:
    return _SECRET_KEYS.search(key) is not None


MASK = "[redacted]"


def start_audit_events() -> Token[list[str] | None]:
    """Begin collecting audit event ids for the request in this context;
    give the token back to ``stop_audit_events`` when it is served."""
    return _AUDIT_EVENTS.set([])


def stop_audit_events(token: Token[list[str] | None]) -> None:
    _AUDIT_EVENTS.reset(token)


def note_audit_event(event_id: str) -> None:
    """Remember an audit event written by the request being served (if any)."""
    ids = _AUDIT_EVENTS.get()
    if ids is not None:
        ids.append(event_id)


def audit_events() -> list[str]:
    return list(_AUDIT_EVENTS.get() or ())


def start_request(**fields: Any) -> Token[dict[str, Any] | None]:
    """Begin a request's fields (every line written while it is served
    carries them); give the token back to ``stop_request``."""
    return _REQUEST.set(fields)


def stop_request(token: Token[dict[str, Any] | None]) -> None:
    _REQUEST.reset(token)


def bind_request(**fields: Any) -> None:
    """Add fields to the request being served (nothing outside a request)."""
    found = _REQUEST.get()
    if found is not None:
        found.update(fields)


def request_fields() -> dict[str, Any]:
    return dict(_REQUEST.get() or ())


# Every secret pattern needs one of these; most values (ids, paths, methods)
# have none and skip the patterns.
_MAYBE_SECRET = re.compile(r"(?i)eyj|bearer|basic|whsec_|=|://|/reports/")


def _mask_text(text: str) -> str:
    # Ids, hex digests and plain words (most values) hold no secret marker.
    if text.isalnum() or _MAYBE_SECRET.search(text) is None:
        return text
    for pattern in _SECRET_PATTERNS:
        if pattern.groups == 1:
            text = pattern.sub(lambda m: m.group(1) + MASK, text)
        elif pattern.groups == 2:
            text = pattern.sub(lambda m: f"{m.group(1)}:{MASK}@", text)
        else:
            text = pattern.sub(MASK, text)
    return text


def _mask(value: Any) -> Any:
    if isinstance(value, str):
        return _mask_text(value)
    if isinstance(value, dict):
        return {k: MASK if _secret_key(str(k)) else _mask(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask(v) for v in value]
    return value


def redact(_: Any, __: str, event_dict: EventDict) -> EventDict:
    """structlog processor: no credential leaves in a log line."""
    for key, value in list(event_dict.items()):
        if key != "event" and _secret_key(key):
            event_dict[key] = MASK
        else:
            event_dict[key] = _mask(value)
    return event_dict


# What every LogRecord has; anything else on a record came as ``extra``
# (but uvicorn's ``color_message``, its message with terminal colours).
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {
    "message",
    "asctime",
    "taskName",
    "color_message",
}


class LineFormatter(logging.Formatter):
    """One line per record: the request's fields, the record's own
    (``event``, ``logger``, ``level``, ``timestamp``, trace ids, extras, a
    rendered traceback), redacted, then rendered (``render`` is one of
    structlog's renderers).  Tracebacks are text before redaction, so a
    secret in an exception message is masked like any other."""

    def __init__(self, render: Any) -> None:
        super().__init__()
        self.render = render

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {}
        request = _REQUEST.get()
        if request:
            line.update(request)
        ids = _AUDIT_EVENTS.get()
        if ids:
            line["audit_events"] = list(ids)
        line["event"] = record.getMessage()
        line["logger"] = record.name
        level = line["level"] = record.levelname.lower()
        line["timestamp"] = (
            datetime.fromtimestamp(record.created, UTC)
            .isoformat()
            .replace("+00:00", "Z")
        )
        trace_ids(None, level, line)
        for key, value in record.__dict__.items():
            if key not in _STANDARD:
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return str(self.render(None, level, redact(None, level, line)))


def configure_logging(
    fmt: LogFormat = "console", level: str | int = "INFO", stream: Any = None
) -> None:
    """Route every logger (hub, uvicorn, libraries) through one formatter.

    Idempotent: calling it again replaces the handler it installed.
    """
    # No line shows the caller's file and line, thread or process: don't
    # look them up for every record (the logging HOWTO's "Optimization").
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    renderer: Any
    if fmt == "json":
        renderer = structlog.processors.JSONRenderer(ensure_ascii=False)
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=False)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(LineFormatter(renderer))
    handler.set_name("hub")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "hub"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level if isinstance(level, int) else level.upper())
    # uvicorn's loggers bring their own handlers when it configures logging;
    # the hub starts it without (log_config=None), so they reach the root.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        lg = logging.getLogger(name)
        lg.handlers.clear()
        lg.propagate = True
    # A line per outgoing HTTP call (webhooks, connectors) buries the rest;
    # their outcomes are counted in /metrics and failures logged by the hub.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # A structlog logger (a library's) hands its event to the same handler
    # as a standard record with extras.
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            structlog.stdlib.render_to_log_kwargs,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
