from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hub.access.policy import default_policy
from hub.auth.keys import load_keyring
from hub.clock import FrozenClock
from hub.resources import Hub
from hub.settings import Settings
from scenarios import ScenarioRegistry
from tests.decisions.helpers import Seeder

REGISTRY = ScenarioRegistry.from_entry_points()


@pytest.fixture
async def hub(
    db_url: str,
    clock: FrozenClock,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    tmp_path,  # type: ignore[no-untyped-def]
) -> Hub:
    settings = Settings(database_url=db_url, env="test")
    return Hub(
        settings=settings,
        clock=clock,
        engine=engine,
        sessionmaker=sessionmaker,
        policy=default_policy(),
        keys=await load_keyring(sessionmaker, settings, clock),
        scenarios=REGISTRY,
    )


@pytest.fixture
def seed(hub: Hub) -> Seeder:
    return Seeder(hub)
