"""A graphql-transport-ws client speaking ASGI to the app in the test's event loop.

The hub (engine, pools, pub/sub) lives in this loop, so the socket must too;
it is the same protocol a browser or Starlette's TestClient would speak.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

__all__ = ["GraphQLSocket"]


class GraphQLSocket:
    def __init__(
        self, app: Any, token: str | None, init: dict[str, Any] | None = None
    ) -> None:
        """``token`` goes in the upgrade request's header, ``init`` is the
        ``connection_init`` payload (where browsers put credentials)."""
        self.app, self.token, self.init = app, token, init or {}
        self._to_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._from_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> GraphQLSocket:
        headers = [
            (b"host", b"hub"),
            (b"sec-websocket-protocol", b"graphql-transport-ws"),
        ]
        if self.token:
            headers.append((b"authorization", f"Bearer {self.token}".encode()))
        scope = {
            "type": "websocket",
            "asgi": {"version": "3.0"},
            "scheme": "ws",
            "http_version": "1.1",
            "path": "/graphql",
            "raw_path": b"/graphql",
            "query_string": b"",
            "root_path": "",
            "headers": headers,
            "subprotocols": ["graphql-transport-ws"],
            "client": ("127.0.0.1", 50000),
            "server": ("hub", 80),
            "state": {},
        }
        self._task = asyncio.create_task(
            self.app(scope, self._to_app.get, self._from_app.put)
        )
        await self._to_app.put({"type": "websocket.connect"})
        accepted = await self._from_app.get()
        assert accepted == {
            "type": "websocket.accept",
            "headers": [],
            "subprotocol": "graphql-transport-ws",
        }, accepted
        await self.send({"type": "connection_init", "payload": self.init})
        assert await self.receive() == {"type": "connection_ack"}
        return self

    async def send(self, message: dict[str, Any]) -> None:
        await self._to_app.put(
            {"type": "websocket.receive", "text": json.dumps(message)}
        )

    async def receive(self) -> dict[str, Any]:
        # A safety net against hanging forever, not a timing assertion.
        msg = await asyncio.wait_for(self._from_app.get(), 10)
        assert msg["type"] == "websocket.send", msg
        return dict(json.loads(msg["text"]))

    async def __aexit__(self, *exc: object) -> None:
        await self._to_app.put({"type": "websocket.disconnect", "code": 1000})
        assert self._task is not None
        try:
            await asyncio.wait_for(self._task, 10)
        except (TimeoutError, asyncio.CancelledError):  # pragma: no cover
            self._task.cancel()
