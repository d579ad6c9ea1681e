"""GraphQL: ``me``, the client registry and its admin mutations.

Permissions are declared on the fields (``IsAuthenticated``, ``IsAdmin``);
resolvers only call :data:`hub.auth.clients.client_service`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

import schema.enums  # noqa: F401  (PrincipalKind under its contract name)
from hub.auth.clients import ClientCredentials, client_service
from hub.auth.principal import Principal
from hub.auth.scopes import allowed_scopes
from hub.consent.service import end_client_consents
from hub.enums import PrincipalKind
from schema.common import Connection, Edge, PageInfo
from schema.permissions import IsAdmin, IsAuthenticated
from schema.scalars import USCC

if TYPE_CHECKING:
    from hub.models import Client

__all__ = [
    "ClientCredentialsType",
    "ClientMutation",
    "ClientQuery",
    "ClientType",
    "PrincipalType",
]


@strawberry.type(name="Principal")
class PrincipalType:
    id: strawberry.ID
    kind: PrincipalKind
    name: str
    uscc: USCC | None = strawberry.field(
        description="For SUBJECT principals: the enterprise they act for."
    )
    scopes: list[str]

    @classmethod
    def from_principal(cls, principal: Principal) -> PrincipalType:
        return cls(
            id=strawberry.ID(principal.id),
            kind=principal.kind,
            name=principal.name,
            uscc=USCC(principal.uscc) if principal.uscc else None,
            scopes=list(principal.scopes),
        )

    @classmethod
    def from_client(cls, client: Client) -> PrincipalType:
        """A client as a principal (e.g. a consent's grantee)."""
        kind = PrincipalKind(client.kind)
        return cls(
            id=strawberry.ID(client.id),
            kind=kind,
            name=client.name,
            uscc=None,
            scopes=list(allowed_scopes(kind)),
        )


@strawberry.type(name="Client")
class ClientType:
    id: strawberry.ID
    kind: PrincipalKind
    name: str
    active: bool
    created_at: datetime

    @classmethod
    def from_row(cls, client: Client) -> ClientType:
        return cls(
            id=strawberry.ID(client.id),
            kind=PrincipalKind(client.kind),
            name=client.name,
            active=client.active,
            created_at=client.created_at,
        )


@strawberry.type(
    name="ClientCredentials",
    description="Returned once: the secret is never shown again.",
)
class ClientCredentialsType:
    client: ClientType
    client_id: str
    client_secret: str

    @classmethod
    def from_credentials(cls, creds: ClientCredentials) -> ClientCredentialsType:
        return cls(
            client=ClientType.from_row(creds.client),
            client_id=creds.client_id,
            client_secret=creds.client_secret,
        )


@strawberry.input(name="CreateClientInput")
class CreateClientInput:
    kind: PrincipalKind
    name: str


@strawberry.type
class ClientQuery:
    @strawberry.field(permission_classes=[IsAuthenticated])
    def me(self, info: Info) -> PrincipalType:
        return PrincipalType.from_principal(info.context.principal)

    @strawberry.field(permission_classes=[IsAdmin])
    async def clients(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[ClientType]:
        async with info.context.db() as session:
            found = await client_service.list(
                session, first=20 if first is None else first, after=after
            )
        return Connection(
            edges=[
                Edge(cursor=cursor, node=ClientType.from_row(client))
                for client, cursor in zip(found.items, found.cursors, strict=True)
            ],
            page_info=PageInfo(
                has_next_page=found.has_next_page, end_cursor=found.end_cursor
            ),
            total_count=found.total_count,
        )


@strawberry.type
class ClientMutation:
    @strawberry.mutation(permission_classes=[IsAdmin])
    async def create_client(
        self, info: Info, input: CreateClientInput
    ) -> ClientCredentialsType:
        ctx = info.context
        async with ctx.db() as session:
            creds = await client_service.create(
                session,
                actor=ctx.principal,
                clock=ctx.hub.clock,
                kind=input.kind,
                name=input.name,
            )
        return ClientCredentialsType.from_credentials(creds)

    @strawberry.mutation(permission_classes=[IsAdmin])
    async def suspend_client(
        self,
        info: Info,
        id: strawberry.ID,
        end_consents: Annotated[
            bool,
            strawberry.argument(
                description="Also end the client's consents (endReason "
                "CLIENT_SUSPENDED); otherwise they stay and work again on "
                "reactivation."
            ),
        ] = False,
    ) -> ClientType:
        ctx = info.context
        async with ctx.db() as session:
            client = await client_service.suspend(
                session,
                actor=ctx.principal,
                clock=ctx.hub.clock,
                id=str(id),
                cache=ctx.hub.cache,
            )
            if end_consents:
                await end_client_consents(session, ctx.hub, ctx.principal, client.id)
        return ClientType.from_row(client)

    @strawberry.mutation(permission_classes=[IsAdmin])
    async def reactivate_client(self, info: Info, id: strawberry.ID) -> ClientType:
        ctx = info.context
        async with ctx.db() as session:
            client = await client_service.reactivate(
                session,
                actor=ctx.principal,
                clock=ctx.hub.clock,
                id=str(id),
                cache=ctx.hub.cache,
            )
        return ClientType.from_row(client)

    @strawberry.mutation(permission_classes=[IsAdmin])
    async def rotate_client_secret(
        self, info: Info, id: strawberry.ID
    ) -> ClientCredentialsType:
        ctx = info.context
        async with ctx.db() as session:
            creds = await client_service.rotate_secret(
                session,
                actor=ctx.principal,
                clock=ctx.hub.clock,
                id=str(id),
                cache=ctx.hub.cache,
            )
        return ClientCredentialsType.from_credentials(creds)
