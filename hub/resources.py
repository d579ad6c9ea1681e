"""The resource holder every service receives: typed backends, no bag of extras.

It is built by the composition root (:mod:`hub.root.build`) once per process
(Starlette lifespan or a CLI command); services only read its fields.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from connectors.registry import ConnectorRegistry
from hub.access.policy import AccessPolicy
from hub.auth.idp import SubjectIdentityProvider
from hub.auth.keys import Keyring
from hub.backends.cache import Cache
from hub.backends.factory import Backends, memory_backends
from hub.backends.pubsub import PubSub
from hub.backends.ratelimit import RateLimiter
from hub.clock import Clock
from hub.evaluation.model import EvaluationModel
from hub.outages import OutageLog
from hub.settings import Settings
from scenarios.registry import ScenarioRegistry

__all__ = ["Hub"]


@dataclass
class Hub:
    settings: Settings
    clock: Clock
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    policy: AccessPolicy
    keys: Keyring
    backends: Backends = field(default_factory=memory_backends)
    connectors: ConnectorRegistry = field(default_factory=lambda: ConnectorRegistry(()))
    scenarios: ScenarioRegistry = field(default_factory=ScenarioRegistry)
    evaluation_model: EvaluationModel | None = None
    #: Verifies enterprises' tokens from their identity provider, when set.
    subject_idp: SubjectIdentityProvider | None = None
    #: Backend outages are logged once a minute, not per request.
    outages: OutageLog = field(default_factory=OutageLog)
    _closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    @property
    def cache(self) -> Cache:
        return self.backends.cache

    @property
    def limiter(self) -> RateLimiter:
        return self.backends.limiter

    @property
    def pubsub(self) -> PubSub:
        return self.backends.pubsub

    async def aclose(self) -> None:
        for close in reversed(self._closers):
            await close()
        await self.engine.dispose()
