"""Fixtures for auth tests: a Hub with a real keyring, the HTTP app, clients."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hub.access.policy import default_policy
from hub.auth.clients import ClientCredentials, client_service
from hub.auth.keys import Keyring, load_keyring
from hub.auth.principal import Principal
from hub.clock import FrozenClock
from hub.db import session_scope
from hub.enums import PrincipalKind
from hub.resources import Hub
from hub.root.app import create_app
from hub.settings import Settings

ADMIN = Principal(id="admin-1", kind=PrincipalKind.ADMIN, name="平台管理员")


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(database_url=db_url, env="test")


@pytest.fixture
async def keyring(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    clock: FrozenClock,
) -> Keyring:
    return await load_keyring(sessionmaker, settings, clock)


@pytest.fixture
def hub(
    settings: Settings,
    clock: FrozenClock,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    keyring: Keyring,
) -> Hub:
    return Hub(
        settings=settings,
        clock=clock,
        engine=engine,
        sessionmaker=sessionmaker,
        policy=default_policy(),
        keys=keyring,
    )


@pytest.fixture
async def http(hub: Hub) -> AsyncIterator[httpx.AsyncClient]:
    """The whole application over ASGI, with this test's Hub."""
    app = create_app(hub.settings, clock=hub.clock, hub=hub)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as c:
        yield c


async def create_client(
    hub: Hub, kind: PrincipalKind = PrincipalKind.BANK, name: str = "郑州银行"
) -> ClientCredentials:
    async with session_scope(hub.sessionmaker) as session:
        return await client_service.create(
            session, actor=ADMIN, clock=hub.clock, kind=kind, name=name
        )


@pytest.fixture
async def bank(hub: Hub) -> ClientCredentials:
    return await create_client(hub)
