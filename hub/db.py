"""Engine, sessions and migrations for SQLite (embedded) and PostgreSQL."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

__all__ = [
    "masked_url",
    "commit",
    "rollback",
    "create_engine",
    "driver_connection",
    "make_sessionmaker",
    "migrate",
    "session_scope",
    "upsert_insert",
]

MIGRATIONS = Path(__file__).parent / "migrations"


def masked_url(url: str) -> str:
    """``url`` fit for a log or a terminal: the password replaced by ``***``."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"


def create_engine(url: str, **kw: Any) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kw)

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    kw.setdefault("pool_size", 20)
    kw.setdefault("max_overflow", 20)
    # No pre-ping: it costs a round trip on every checkout (measured ~5% of a
    # profile read); a connection that died is invalidated on first error and
    # connections are recycled before server-side idle limits.
    kw.setdefault("pool_recycle", 1800)
    return create_async_engine(url, **kw)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def upsert_insert(session: AsyncSession) -> Any:
    """The dialect's ``insert`` (with ON CONFLICT support) for ``session``."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


async def commit(session: AsyncSession) -> None:
    """Commit a unit of work (its audit events commit with it)."""
    await session.commit()


async def rollback(
    session: AsyncSession, maker: async_sessionmaker[AsyncSession]
) -> None:
    """Roll back a unit of work but keep the audit events of refused accesses.

    Denied attempts are audited too (DESIGN.md), even when the request that
    made them returns nothing; they are written after the rollback, in a
    transaction of their own.
    """
    from hub.audit.chain import INSERTED, PENDING

    # Events not yet inserted, or inserted by a commit that then failed.
    decided = session.info.pop(PENDING, []) + session.info.pop(INSERTED, [])
    refusals = [e for e in decided if e.outcome.startswith("DENIED")]
    await session.rollback()
    if refusals:
        async with maker() as keeper:
            keeper.info[PENDING] = refusals
            await keeper.commit()


@asynccontextmanager
async def driver_connection(engine: AsyncEngine) -> AsyncIterator[Any]:
    """A pooled connection's driver (asyncpg) connection, outside any
    transaction: each statement on it commits on its own (autocommit).

    For the single-statement hot path: checked out of the engine's pool
    directly (no ``Connection`` object, no transaction bookkeeping); it goes
    back with nothing to reset, or is discarded if it broke.
    """
    from sqlalchemy.util import greenlet_spawn

    fairy = await greenlet_spawn(engine.sync_engine.pool.connect)
    driver = fairy.driver_connection
    try:
        yield driver
    except BaseException:
        if driver is None or driver.is_closed():
            fairy.invalidate()
        raise
    finally:
        await greenlet_spawn(fairy.close)


@asynccontextmanager
async def session_scope(
    maker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit once at the end, roll back on any error.

    Services never commit; whoever opens the scope does.
    """
    async with maker() as session:
        try:
            yield session
            await commit(session)
        except BaseException:
            await rollback(session, maker)
            raise


def _alembic_config(url: str) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def migration_state(url: str) -> dict[str, Any]:
    """``{"current", "head", "up_to_date"}``: the applied Alembic revision.

    Reads only; ``current`` is ``None`` for a database never migrated.  Call
    it outside an event loop (the command line).
    """
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config(url)).get_current_head()

    async def read() -> str | None:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(
                    lambda sync: MigrationContext.configure(sync).get_current_revision()
                )
        finally:
            await engine.dispose()

    current = asyncio.run(read())
    return {"current": current, "head": head, "up_to_date": current == head}


def _upgrade(url: str, revision: str) -> None:
    from alembic import command

    command.upgrade(_alembic_config(url), revision)


def migrate(url: str, revision: str = "head") -> None:
    """Apply Alembic migrations (safe to call from inside an event loop)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        _upgrade(url, revision)
        return
    errors: list[BaseException] = []

    def run() -> None:
        try:
            _upgrade(url, revision)
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)

    t = threading.Thread(target=run)
    t.start()
    t.join()
    if errors:
        raise errors[0]
