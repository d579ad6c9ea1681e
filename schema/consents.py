"""Consent types, queries and mutations."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import strawberry
from strawberry.types import Info

from hub.consent import service
from hub.consent.service import GrantRequest, consent_status
from hub.enums import ConsentStatus, DataCategory, Purpose
from schema.clients import PrincipalType as Principal
from schema.common import (
    Connection,
    check_first,
    decode_cursor,
)
from schema.loaders import clients_by_id
from schema.permissions import IsAuthenticated
from schema.scalars import USCC

if TYPE_CHECKING:
    from hub.models import Consent as ConsentRow

__all__ = ["Consent", "ConsentMutation", "ConsentQuery"]


@strawberry.type
class Consent:
    id: strawberry.ID
    subject: USCC
    purpose: Purpose
    categories: list[DataCategory]
    status: ConsentStatus
    granted_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    receipt: str = strawberry.field(
        description="Signed consent receipt (compact JWS) that the subject can keep "
        "and verify against the hub's JWKS."
    )
    grantee_id: strawberry.Private[str]

    @strawberry.field
    async def grantee(self, info: Info) -> Principal:
        client = await clients_by_id(info.context).load(self.grantee_id)
        if client is None:  # pragma: no cover - foreign key
            raise RuntimeError("consent grantee missing")
        return Principal.from_client(client)

    @classmethod
    def from_row(cls, row: ConsentRow, now: datetime) -> Consent:
        return cls(
            id=strawberry.ID(row.id),
            subject=USCC(row.subject),
            purpose=Purpose(row.purpose),
            categories=[DataCategory(c) for c in row.categories],
            status=consent_status(row, now),
            granted_at=row.granted_at,
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
            receipt=row.receipt,
            grantee_id=row.grantee_id,
        )


@strawberry.input
class GrantConsentInput:
    subject: USCC
    grantee_id: strawberry.ID
    purpose: Purpose
    categories: list[DataCategory]
    expires_at: datetime


def _iso_datetime(value: str) -> str:
    datetime.fromisoformat(value)  # refuse what the repository could not use
    return value


@strawberry.type
class ConsentQuery:
    @strawberry.field(permission_classes=[IsAuthenticated])
    async def consents(
        self,
        info: Info,
        uscc: USCC | None = None,
        status: ConsentStatus | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[Consent]:
        ctx = info.context
        cursor = decode_cursor(after, 2, (_iso_datetime, str))
        async with ctx.db() as session:
            rows, total, more = await service.list_consents(
                session,
                ctx.hub,
                ctx.principal,
                uscc=uscc,
                status=status,
                first=check_first(first),
                after=(cursor[0], cursor[1]) if cursor else None,
            )
        now = ctx.hub.clock.now()
        return Connection.build(
            rows,
            more,
            total,
            node=lambda r: Consent.from_row(r, now),
            cursor=lambda r: (r.granted_at.isoformat(), r.id),
        )


@strawberry.type
class ConsentMutation:
    @strawberry.mutation(permission_classes=[IsAuthenticated])
    async def grant_consent(
        self, info: Info, input: GrantConsentInput, idempotency_key: str | None = None
    ) -> Consent:
        ctx = info.context
        req = GrantRequest(
            subject=str(input.subject),
            grantee_id=str(input.grantee_id),
            purpose=input.purpose,
            categories=tuple(input.categories),
            expires_at=input.expires_at,
        )
        async with ctx.db() as session:
            row = await service.grant(
                session, ctx.hub, ctx.principal, req, idempotency_key
            )
        return Consent.from_row(row, ctx.hub.clock.now())

    @strawberry.mutation(permission_classes=[IsAuthenticated])
    async def revoke_consent(self, info: Info, id: strawberry.ID) -> Consent:
        ctx = info.context
        async with ctx.db() as session:
            row = await service.revoke(session, ctx.hub, ctx.principal, str(id))
        return Consent.from_row(row, ctx.hub.clock.now())
