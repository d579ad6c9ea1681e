"""The request id and the access log: one line per request, at the edge.

``X-Request-ID`` is taken from the caller when it is 1–128 characters of
``A-Z a-z 0-9 . _ : -`` (what a proxy or a client library generates), else a
new one is made; either way it is echoed in the response header and bound to
every log line written while the request is served.  When the response has
been sent, one ``request`` line tells method, path (never the query string:
one-time links carry their token there), status, duration, request id,
principal, GraphQL operation and the audit events the request wrote.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any

from hub.logs import (
    audit_events,
    bind_request,
    request_fields,
    start_audit_events,
    start_request,
    stop_audit_events,
    stop_request,
)
from hub.models import new_id

__all__ = ["HEADER", "RequestLog", "bind_operation", "bind_principal", "request_id"]

HEADER = "X-Request-ID"
_RAW_HEADER = b"x-request-id"
_VALID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

access = logging.getLogger("hub.access")


def request_id(given: bytes | None) -> str:
    """The caller's id when it is safe to repeat, else a fresh one."""
    if given is not None:
        try:
            text = given.decode("ascii")
        except UnicodeDecodeError:
            text = ""
        if _VALID.fullmatch(text):
            return text
    return new_id()


def bind_principal(principal_id: str | None) -> None:
    bind_request(principal=principal_id)


def bind_operation(name: str | None) -> None:
    bind_request(operation=name)


class RequestLog:
    """ASGI middleware: request id in, request id out, one access line."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        given = None
        for key, value in scope.get("headers") or ():
            if key == _RAW_HEADER:
                given = value
                break
        rid = request_id(given)
        serving = start_request(request_id=rid)
        collecting = start_audit_events()
        echoed = (_RAW_HEADER, rid.encode("ascii"))
        status = {"code": 500}

        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message["headers"] = [*(message.get("headers") or ()), echoed]
            elif message["type"] == "websocket.accept":
                status["code"] = 101
            await send(message)

        started = time.perf_counter()
        try:
            await self.app(scope, receive, sending)
        finally:
            ctx = request_fields()
            access.info(
                "request",
                extra={
                    "method": scope.get("method", "WS"),
                    "path": scope.get("path"),
                    "status": status["code"],
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "principal": ctx.get("principal"),
                    "operation": ctx.get("operation"),
                    "audit_events": audit_events(),
                },
            )
            stop_request(serving)
            stop_audit_events(collecting)
