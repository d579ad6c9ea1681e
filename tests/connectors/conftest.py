"""The sandbox agencies as a real HTTP server, and a hub wired to them."""

from __future__ import annotations

import random
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from connectors.registry import ConnectorRegistry, load_connectors
from connectors.sandbox import create_app
from hub.access.door import Grant, open_door
from hub.access.policy import default_policy
from hub.auth.clients import client_service
from hub.auth.keys import load_keyring
from hub.auth.principal import SYSTEM, Principal
from hub.clock import FrozenClock
from hub.consent.service import GrantRequest
from hub.consent.service import grant as grant_consent
from hub.db import session_scope
from hub.enums import DataCategory, EntityKind, PrincipalKind, Purpose
from hub.models import Entity
from hub.resources import Hub
from hub.settings import ConnectorSettings, Settings
from hub.uscc import make_uscc

# The sandbox's reference day: the same day as the `clock` fixture.
SANDBOX_DAY = date(2026, 11, 23)
SOURCE_OF = {
    "henan-tax": "tax",
    "court-dishonest": "court",
    "market-regulation": "market",
    "utilities": "utility",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SandboxServer:
    """uvicorn serving the sandbox in a background thread on a loopback port."""

    def __init__(self, api_key: str | None = None) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            create_app(api_key=api_key, today=SANDBOX_DAY),
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
                raise RuntimeError("sandbox server did not start")
            time.sleep(0.02)

    def stats(self) -> dict[str, int]:
        return httpx.get(f"{self.url}/_stats").json()

    def fault(self, source: str, **settings: Any) -> None:
        httpx.post(
            f"{self.url}/_faults", json={"source": source, **settings}
        ).raise_for_status()

    def reset(self) -> None:
        httpx.delete(f"{self.url}/_faults").raise_for_status()
        httpx.delete(f"{self.url}/_stats").raise_for_status()

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxServer]:
    server = SandboxServer()
    yield server
    server.stop()


@pytest.fixture
def sandbox(sandbox_server: SandboxServer) -> SandboxServer:
    """The shared sandbox, with faults and request counts reset."""
    sandbox_server.reset()
    return sandbox_server


def connector_settings(base_url: str, **overrides: Any) -> Settings:
    conf = {"base_url": base_url, "timeout": 1.0, "retries": 1, **overrides}
    return Settings(
        env="test",
        connectors={name: ConnectorSettings.model_validate(conf) for name in SOURCE_OF},
    )


@pytest.fixture
async def registry(sandbox: SandboxServer) -> AsyncIterator[ConnectorRegistry]:
    reg = load_connectors(connector_settings(sandbox.url))
    yield reg
    await reg.aclose()


def find_uscc(predicate: Callable[[str], bool], seed: int = 7) -> str:
    """The first generated USCC whose sandbox answer satisfies ``predicate``."""
    rng = random.Random(seed)
    for _ in range(5000):
        code = make_uscc(rng)
        if predicate(code):
            return code
    raise AssertionError("no USCC with that sandbox profile in 5000 tries")


@dataclass
class World:
    hub: Hub
    registry: ConnectorRegistry
    sandbox: SandboxServer
    bank: Principal

    async def add_entity(self, uscc: str, name: str = "郑州恒达食品有限公司") -> None:
        now = self.hub.clock.now()
        async with session_scope(self.hub.sessionmaker) as s:
            s.add(
                Entity(
                    uscc=uscc,
                    name=name,
                    kind=EntityKind.ENTERPRISE,
                    region_code="410100",
                    status="存续",
                    data_version=1,
                    created_at=now,
                    updated_at=now,
                )
            )

    async def consent(self, uscc: str, categories: list[DataCategory]) -> None:
        now = self.hub.clock.now()
        subject = Principal(id=uscc, kind=PrincipalKind.SUBJECT, name=uscc, uscc=uscc)
        async with session_scope(self.hub.sessionmaker) as s:
            await grant_consent(
                s,
                self.hub,
                subject,
                GrantRequest(
                    subject=uscc,
                    grantee_id=self.bank.id,
                    purpose=Purpose.LENDING,
                    categories=tuple(categories),
                    expires_at=now + timedelta(days=90),
                ),
            )

    async def grant(self, session: AsyncSession, uscc: str) -> Grant:
        return await open_door(
            session,
            self.hub,
            self.bank,
            uscc=uscc,
            purpose=Purpose.LENDING,
            action="profile.read",
        )


@pytest.fixture
async def world(
    db_url: str,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: FrozenClock,
    registry: ConnectorRegistry,
    sandbox: SandboxServer,
) -> World:
    settings = Settings(database_url=db_url, env="test")
    keys = await load_keyring(sessionmaker, settings, clock)
    hub = Hub(
        settings=settings,
        clock=clock,
        engine=engine,
        sessionmaker=sessionmaker,
        policy=default_policy(),
        keys=keys,
        connectors=registry,
    )
    async with session_scope(sessionmaker) as s:
        creds = await client_service.create(
            s, actor=SYSTEM, clock=clock, kind=PrincipalKind.BANK, name="郑州银行"
        )
    bank = Principal(id=creds.client.id, kind=PrincipalKind.BANK, name="郑州银行")
    return World(hub, registry, sandbox, bank)
