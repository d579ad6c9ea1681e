"""Process-wide resources, made once in the Starlette lifespan or a CLI command."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hub.access.policy import AccessPolicy, default_policy
from hub.clock import Clock, SystemClock
from hub.db import create_engine, make_sessionmaker, migrate
from hub.settings import Settings

__all__ = ["Hub", "build_hub"]


@dataclass
class Hub:
    settings: Settings
    clock: Clock
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    policy: AccessPolicy
    cache: Any = None
    limiter: Any = None
    pubsub: Any = None
    keys: Any = None
    connectors: Any = None
    scenarios: Any = None
    extras: dict[str, Any] = field(default_factory=dict)
    _closers: list[Any] = field(default_factory=list)

    async def aclose(self) -> None:
        for close in reversed(self._closers):
            await close()
        await self.engine.dispose()


async def build_hub(
    settings: Settings, clock: Clock | None = None, *, run_migrations: bool = True
) -> Hub:
    """Migrate the database, then make engine, backends, keys and registries."""
    if run_migrations:
        migrate(settings.database_url)
    engine = create_engine(
        settings.database_url,
        **({} if settings.is_sqlite else {"pool_pre_ping": settings.db_pool_pre_ping}),
    )
    from hub.auth.keys import load_keyring
    from hub.backends.factory import make_backends

    clock = clock or SystemClock()
    maker = make_sessionmaker(engine)
    backends = make_backends(settings)
    hub = Hub(
        settings=settings,
        clock=clock,
        engine=engine,
        sessionmaker=maker,
        policy=default_policy(),
        cache=backends.cache,
        limiter=backends.limiter,
        pubsub=backends.pubsub,
        keys=await load_keyring(maker, settings, clock),
    )
    from connectors.registry import load_connectors
    from scenarios.registry import ScenarioRegistry

    hub.scenarios = ScenarioRegistry.from_entry_points()
    hub.connectors = load_connectors(settings)
    hub._closers.append(hub.connectors.aclose)
    hub.extras["backends"] = backends
    hub._closers.append(backends.aclose)
    return hub
