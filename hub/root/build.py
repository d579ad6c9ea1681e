"""Build the process's :class:`~hub.resources.Hub` from the settings."""

from __future__ import annotations

from hub.access.policy import default_policy
from hub.auth.idp import SubjectIdentityProvider
from hub.auth.keys import load_keyring
from hub.backends.factory import make_backends
from hub.clock import Clock, SystemClock
from hub.db import create_engine, make_sessionmaker, migrate
from hub.resources import Hub
from hub.rights.workdays import warn_if_uncovered
from hub.settings import Settings

__all__ = ["build_hub"]


async def build_hub(
    settings: Settings, clock: Clock | None = None, *, run_migrations: bool = True
) -> Hub:
    """Migrate the database, then make engine, backends, keys and registries."""
    from connectors.registry import load_connectors
    from hub.supervision.rules import builtin_rules
    from scenarios.registry import ScenarioRegistry

    # Rules are data validated at load: a bad built-in rule file stops start-up
    # with a message naming the rule, like a bad scenario.
    builtin_rules()

    if run_migrations:
        migrate(settings.database_url)
    engine = create_engine(
        settings.database_url,
        **(
            {}
            if settings.is_sqlite
            else {
                "pool_pre_ping": settings.db_pool_pre_ping,
                "pool_size": settings.db_pool_size,
                "max_overflow": settings.db_max_overflow,
            }
        ),
    )
    clock = clock or SystemClock()
    # Legal deadlines skip only weekends in a year the holiday calendar
    # does not know yet; say so once, at start-up.
    warn_if_uncovered(clock.today())
    maker = make_sessionmaker(engine)
    backends = make_backends(settings)
    connectors = load_connectors(settings)
    hub = Hub(
        settings=settings,
        clock=clock,
        engine=engine,
        sessionmaker=maker,
        policy=default_policy(),
        backends=backends,
        keys=await load_keyring(maker, settings, clock),
        connectors=connectors,
        scenarios=ScenarioRegistry.from_entry_points(),
    )
    if settings.subject_jwks_url:
        hub.subject_idp = SubjectIdentityProvider(settings, clock)
        hub._closers.append(hub.subject_idp.aclose)
    hub._closers.append(connectors.aclose)
    hub._closers.append(backends.aclose)
    return hub
