"""A real webhook endpoint for tests: uvicorn on a loopback port, in a thread.

It records every request (headers and body) and answers with the statuses
queued in ``answers`` (then 200); while ``holding`` is set it keeps requests
open without answering, like an endpoint that hangs mid-delivery.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

import uvicorn
from standardwebhooks.webhooks import Webhook as Verifier
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

__all__ = ["Received", "Receiver"]


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    #: The query string: tests tell endpoints apart by it (``?who=bank``).
    query: str = ""

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]

    def verify(self, secret: str) -> Any:
        """The JSON body, once the Standard Webhooks library accepts it."""
        return Verifier(secret).verify(self.body, self.headers)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Receiver:
    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.received: list[Received] = []
        self.answers: list[int] = []
        self.holding = False
        self._lock = threading.Lock()
        app = Starlette(routes=[Route("/hook", self._hook, methods=["POST"])])
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("webhook receiver did not start")
            time.sleep(0.02)

    async def _hook(self, request: Request) -> Response:
        body = await request.body()
        with self._lock:
            self.received.append(
                Received(dict(request.headers), body, request.url.query)
            )
            status = self.answers.pop(0) if self.answers else 200
        while self.holding and not self.server.should_exit:
            await asyncio.sleep(0.02)
        return Response(status_code=status)

    def count(self) -> int:
        with self._lock:
            return len(self.received)

    async def wait_for(self, n: int, timeout: float = 30) -> list[Received]:
        """Wait until ``n`` requests arrived (a safety net, not a timing test)."""
        deadline = time.monotonic() + timeout
        while self.count() < n:
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.count()} of {n} webhook requests arrived")
            await asyncio.sleep(0.02)
        with self._lock:
            return list(self.received)

    def stop(self) -> None:
        self.holding = False
        self.server.should_exit = True
        self.thread.join(10)
