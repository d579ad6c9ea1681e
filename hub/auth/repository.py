"""SQL for OAuth clients (table ``clients``)."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.clock import utc
from hub.errors import ErrorCode, HubError
from hub.models import Client

__all__ = [
    "ClientPage",
    "ClientStatus",
    "by_client_id",
    "by_id",
    "decode_cursor",
    "encode_cursor",
    "page",
    "status",
]


class ClientStatus(NamedTuple):
    """The columns the per-request authentication needs, nothing more."""

    kind: str
    name: str
    active: bool
    secret_version: int = 0


@dataclass(frozen=True, slots=True)
class ClientPage:
    items: Sequence[Client]
    cursors: Sequence[str]
    has_next_page: bool
    total_count: int

    @property
    def end_cursor(self) -> str | None:
        return self.cursors[-1] if self.cursors else None


async def by_id(session: AsyncSession, id: str) -> Client | None:
    return await session.get(Client, id)


async def by_client_id(session: AsyncSession, client_id: str) -> Client | None:
    return await session.scalar(select(Client).where(Client.client_id == client_id))


async def status(session: AsyncSession, id: str) -> ClientStatus | None:
    """One primary-key lookup of a client's kind, name, active flag and secret
    version."""
    row = (
        await session.execute(
            select(
                Client.kind, Client.name, Client.active, Client.secret_version
            ).where(Client.id == id)
        )
    ).first()
    if row is None:
        return None
    return ClientStatus(row.kind, row.name, row.active, int(row.secret_version or 0))


def encode_cursor(client: Client) -> str:
    """Opaque cursor over the sort key ``(created_at, id)``."""
    raw = json.dumps([utc(client.created_at).isoformat(), client.id])
    return base64.urlsafe_b64encode(raw.encode()).decode("ascii").rstrip("=")


# (an instant, a 32-character id): anything longer was not made here, and
# would cost a parse of whatever an attacker nested into it.
_MAX_CURSOR = 160


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        if len(cursor) > _MAX_CURSOR:
            raise ValueError("cursor too long")
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created, id = json.loads(raw)
        if not isinstance(created, str) or not isinstance(id, str):
            raise ValueError("cursor values are strings")
        return utc(datetime.fromisoformat(created)), id
    except (ValueError, TypeError, binascii.Error, RecursionError):
        raise HubError(
            "Invalid cursor: pass an endCursor returned by a previous page.",
            ErrorCode.VALIDATION_ERROR,
        ) from None


async def page(session: AsyncSession, *, first: int, after: str | None) -> ClientPage:
    """Clients in creation order, ``first`` of them after the cursor."""
    query = select(Client).order_by(Client.created_at, Client.id)
    if after is not None:
        created, id = decode_cursor(after)
        query = query.where(
            or_(
                Client.created_at > created,
                and_(Client.created_at == created, Client.id > id),
            )
        )
    rows = list((await session.scalars(query.limit(first + 1))).all())
    total = await session.scalar(select(func.count()).select_from(Client))
    items = rows[:first]
    return ClientPage(
        items=items,
        cursors=[encode_cursor(c) for c in items],
        has_next_page=len(rows) > first,
        total_count=int(total or 0),
    )


async def by_ids(session: AsyncSession, ids: Sequence[str]) -> dict[str, Client]:
    """Clients by ``Client.id``, one statement for a whole DataLoader batch."""
    rows = await session.scalars(select(Client).where(Client.id.in_(ids)))
    return {c.id: c for c in rows}
