"""Client registry service: create, suspend, reactivate, rotate secret, list.

Every admin mutation is written to the audit chain in the caller's unit of
work (DESIGN.md, "Security": every mutation by an admin is audited).  The
service never commits; the secret is returned once and stored only hashed.

>>> creds = await client_service.create(session, actor=admin, clock=clock,
...     kind=PrincipalKind.BANK, name="郑州银行")      # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub.audit.changes import record_change
from hub.auth import repository, status
from hub.auth.principal import Principal
from hub.auth.repository import ClientPage, ClientStatus
from hub.auth.secrets import (
    DUMMY_HASH,
    generate_secret,
    hash_secret,
    new_client_id,
    verify_secret,
)
from hub.clock import Clock
from hub.enums import PrincipalKind
from hub.errors import ErrorCode, HubError
from hub.models import Client, new_id

__all__ = ["ClientCredentials", "ClientService", "client_service"]

MAX_PAGE = 100
_NAME_MAX = 200


@dataclass(frozen=True, slots=True)
class ClientCredentials:
    """A client with its plaintext secret — only ever returned, never stored."""

    client: Client
    client_id: str
    client_secret: str


def _client_kind(kind: PrincipalKind | str) -> PrincipalKind:
    try:
        value = PrincipalKind(kind)
    except ValueError:
        value = None
    if value is None or value is PrincipalKind.SUBJECT:
        raise HubError(
            f"Invalid client kind {kind!r}: use one of "
            "BANK, GUARANTOR, INSURER, MERCHANT, AGENCY, ADMIN (enterprises sign "
            "in as SUBJECT through their identity provider, not as clients).",
            ErrorCode.VALIDATION_ERROR,
        )
    return value


def _client_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned or len(cleaned) > _NAME_MAX:
        raise HubError(
            f"A client name is 1 to {_NAME_MAX} characters.",
            ErrorCode.VALIDATION_ERROR,
        )
    return cleaned


class ClientService:
    async def create(
        self,
        session: AsyncSession,
        *,
        actor: Principal,
        clock: Clock,
        kind: PrincipalKind | str,
        name: str,
    ) -> ClientCredentials:
        """Register a client; the returned secret is shown this once."""
        kind = _client_kind(kind)
        name = _client_name(name)
        secret = generate_secret()
        now = clock.now()
        client = Client(
            id=new_id(),
            client_id=new_client_id(kind),
            secret_hash=await asyncio.to_thread(hash_secret, secret),
            secret_version=0,
            kind=kind.value,
            name=name,
            active=True,
            created_at=now,
            updated_at=now,
        )
        session.add(client)
        await session.flush()
        await self._audit(session, actor, clock, "client.create", client)
        return ClientCredentials(client, client.client_id, secret)

    async def get(self, session: AsyncSession, id: str) -> Client:
        client = await repository.by_id(session, id)
        if client is None:
            raise HubError(f"No client with id {id!r}.", ErrorCode.NOT_FOUND)
        return client

    async def by_ids(
        self, session: AsyncSession, ids: Sequence[str]
    ) -> list[Client | None]:
        """Clients in the order of ``ids`` (``None`` for unknown ids)."""
        found = await repository.by_ids(session, ids)
        return [found.get(i) for i in ids]

    async def suspend(
        self,
        session: AsyncSession,
        *,
        actor: Principal,
        clock: Clock,
        id: str,
        cache: Any,
    ) -> Client:
        """Refuse the client's tokens from the next request on.

        Pass the hub's ``cache`` so that workers that cached the client as
        active learn of the suspension at once (see ``hub.auth.status``).
        """
        client = await self._set_active(session, actor, clock, id, active=False)
        await status.mark_suspended(
            cache, client.id, client.kind, client.name, client.secret_version or 0
        )
        return client

    async def reactivate(
        self,
        session: AsyncSession,
        *,
        actor: Principal,
        clock: Clock,
        id: str,
        cache: Any,
    ) -> Client:
        client = await self._set_active(session, actor, clock, id, active=True)
        await status.forget(cache, client.id)
        return client

    async def rotate_secret(
        self,
        session: AsyncSession,
        *,
        actor: Principal,
        clock: Clock,
        id: str,
        cache: Any = None,
    ) -> ClientCredentials:
        """Replace the secret; the old one stops working when this commits.

        Every access token issued before is refused from the next request on
        (contract v2: rotation invalidates them): tokens carry the secret
        version they were issued under.  Pass the hub's ``cache`` so workers
        that cached the client's status learn of it at once.
        """
        client = await self.get(session, id)
        secret = generate_secret()
        client.secret_hash = await asyncio.to_thread(hash_secret, secret)
        client.secret_version = (client.secret_version or 0) + 1
        client.updated_at = clock.now()
        await session.flush()
        await status.mark_rotated(
            cache,
            client.id,
            ClientStatus(
                client.kind, client.name, client.active, client.secret_version
            ),
        )
        await self._audit(session, actor, clock, "client.rotate_secret", client)
        return ClientCredentials(client, client.client_id, secret)

    async def list(
        self, session: AsyncSession, *, first: int = 20, after: str | None = None
    ) -> ClientPage:
        if not 0 <= first <= MAX_PAGE:
            raise HubError(
                f"first must be between 0 and {MAX_PAGE}.", ErrorCode.VALIDATION_ERROR
            )
        return await repository.page(session, first=first, after=after)

    async def authenticate(
        self, session: AsyncSession, client_id: str, secret: str
    ) -> Client | None:
        """The ACTIVE client these credentials belong to, else ``None``.

        An unknown ``client_id`` still costs one hash verification, so timing
        does not tell which client ids exist.
        """
        client = await repository.by_client_id(session, client_id)
        encoded = client.secret_hash if client is not None else DUMMY_HASH
        ok = await asyncio.to_thread(verify_secret, secret, encoded)
        if client is None or not ok or not client.active:
            return None
        return client

    async def _set_active(
        self,
        session: AsyncSession,
        actor: Principal,
        clock: Clock,
        id: str,
        *,
        active: bool,
    ) -> Client:
        client = await self.get(session, id)
        if client.active != active:
            client.active = active
            client.updated_at = clock.now()
            await session.flush()
        action = "client.reactivate" if active else "client.suspend"
        await self._audit(session, actor, clock, action, client)
        return client

    async def _audit(
        self,
        session: AsyncSession,
        actor: Principal,
        clock: Clock,
        action: str,
        client: Client,
    ) -> None:
        # The secret and its hash never enter the audit trail.
        await record_change(
            session,
            actor=actor,
            action=action,
            outcome="ok",
            at=clock.now(),
            detail={
                "client": client.id,
                "client_id": client.client_id,
                "kind": client.kind,
                "name": client.name,
                "active": client.active,
            },
        )


client_service = ClientService()
