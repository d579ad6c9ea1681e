"""Consent types, queries and the grant/revoke mutations.

The lifecycle mutations (pause, resume, amend) are in ``schema.consent_lifecycle``;
requests in ``schema.consent_requests``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from hub.consent import service
from hub.consent.service import GrantRequest, consent_status
from hub.enums import ConsentStatus, DataCategory, Purpose
from schema.clients import PrincipalType as Principal
from schema.common import Connection, check_first, decode_cursor
from schema.loaders import clients_by_id, consent_requests_by_id, receipts_by_consent
from schema.permissions import IsAuthenticated
from schema.scalars import USCC

if TYPE_CHECKING:
    from hub.models import Consent as ConsentRow
    from schema.consent_requests import ConsentRequest

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
        "and verify against the hub's JWKS; the latest of receipts."
    )
    max_reads: int | None = strawberry.field(
        description="Most reads the grantee may make under this consent; null = "
        "the purpose's fair-use limit."
    )
    reads_used: int = strawberry.field(
        description="Reads and decisions made under it (committed before this "
        "request began)."
    )
    last_used_at: datetime | None
    data_life_days: int | None = strawberry.field(
        description="Days the grantee may keep what it read, shown to the subject "
        "on every receipt."
    )
    paused_at: datetime | None
    end_reason: str | None = strawberry.field(
        description="Why it ended: REVOKED_BY_SUBJECT, REVOKED_BY_ADMIN, SUPERSEDED, "
        "EXPIRED, CLIENT_SUSPENDED."
    )
    grantee_id: strawberry.Private[str]
    request_id: strawberry.Private[str | None]

    @strawberry.field
    async def grantee(self, info: Info) -> Principal:
        client = await clients_by_id(info.context).load(self.grantee_id)
        if client is None:  # pragma: no cover - foreign key
            raise RuntimeError("consent grantee missing")
        return Principal.from_client(client)

    @strawberry.field(description="The request this consent answered, if any.")
    async def request(
        self, info: Info
    ) -> Annotated[ConsentRequest, strawberry.lazy("schema.consent_requests")] | None:
        from schema.consent_requests import ConsentRequest

        if self.request_id is None:
            return None
        row = await consent_requests_by_id(info.context).load(self.request_id)
        return (
            ConsentRequest.from_row(row, info.context.hub.clock.now()) if row else None
        )

    @strawberry.field(
        description="Every receipt issued for this consent (grant, amend, pause, "
        "resume, revoke, expire), oldest first; compact JWS each."
    )
    async def receipts(self, info: Info) -> list[str]:
        return await receipts_by_consent(info.context).load(str(self.id))

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
            max_reads=row.max_reads,
            reads_used=row.reads_used or 0,
            last_used_at=row.last_used_at,
            data_life_days=row.data_life_days,
            paused_at=row.paused_at,
            end_reason=row.end_reason,
            grantee_id=row.grantee_id,
            request_id=row.request_id,
        )


@strawberry.input
class GrantConsentInput:
    subject: USCC
    grantee_id: strawberry.ID
    purpose: Purpose
    categories: list[DataCategory]
    expires_at: datetime
    max_reads: int | None = strawberry.field(
        default=None, description="Default: the purpose's fair-use limit."
    )
    data_life_days: int | None = strawberry.field(
        default=None, description="Default: the purpose's fair-use limit."
    )


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
            max_reads=input.max_reads,
            data_life_days=input.data_life_days,
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
