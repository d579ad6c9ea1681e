"""SQL for the ``signing_keys`` table (the keyring's persistence)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub.models import SigningKey

__all__ = [
    "add_key",
    "list_keys",
    "lock_keyring",
    "prune_unpublished",
    "retire_current",
]

# Arbitrary constant naming the keyring's PostgreSQL advisory lock.
_ADVISORY_LOCK_ID = 0x78696E7969  # "xinyi"


async def lock_keyring(session: AsyncSession) -> None:
    """Serialise key creation and rotation between workers.

    On PostgreSQL a transaction-scoped advisory lock stops two workers that
    start together from both generating a first key.  SQLite runs one writer
    at a time anyway; the keyring's deterministic choice of the active key
    covers the rest.
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            text("SELECT pg_advisory_xact_lock(:id)"), {"id": _ADVISORY_LOCK_ID}
        )


async def list_keys(session: AsyncSession) -> Sequence[SigningKey]:
    rows = await session.scalars(
        select(SigningKey).order_by(SigningKey.created_at, SigningKey.kid)
    )
    return rows.all()


async def add_key(session: AsyncSession, row: SigningKey) -> None:
    session.add(row)
    await session.flush()


async def retire_current(
    session: AsyncSession, *, at: datetime, publish_until: datetime
) -> list[str]:
    """Retire every key still signing; return their kids."""
    result = await session.scalars(
        update(SigningKey)
        .where(SigningKey.retired_at.is_(None))
        .values(retired_at=at, publish_until=publish_until)
        .returning(SigningKey.kid)
    )
    return list(result.all())


async def prune_unpublished(session: AsyncSession, *, now: datetime) -> int:
    """Delete retired keys whose every token and receipt has expired.

    Their private halves are no longer needed and are better not kept.
    """
    deleted = await session.scalars(
        delete(SigningKey)
        .where(SigningKey.publish_until.is_not(None), SigningKey.publish_until <= now)
        .returning(SigningKey.kid)
    )
    return len(deleted.all())
