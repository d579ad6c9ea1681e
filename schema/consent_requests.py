"""Consent requests: the type and the ``consentRequests`` list.

The mutations are in ``schema.consent_request_mutations``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import strawberry
from strawberry.types import Info

from hub.consent import requests as service
from hub.consent.request_rules import request_status
from hub.enums import ConsentRequestStatus, DataCategory, Purpose
from schema.clients import PrincipalType as Principal
from schema.common import Connection, check_first, decode_cursor
from schema.consents import Consent
from schema.loaders import clients_by_id, consents_by_id
from schema.permissions import IsAuthenticated
from schema.scalars import USCC

if TYPE_CHECKING:
    from hub.models import ConsentRequest as RequestRow

__all__ = ["ConsentRequest", "ConsentRequestQuery"]


@strawberry.type(
    description="A grantee asks an enterprise for a consent; the enterprise "
    "approves (possibly narrower) or rejects it in its own channel."
)
class ConsentRequest:
    id: strawberry.ID
    subject: USCC
    purpose: Purpose
    scenario: str | None = strawberry.field(
        description="The scenario the data is for, if any: its declared categories "
        "bound what may be requested."
    )
    categories: list[DataCategory]
    duration_days: int = strawberry.field(
        description="Requested life of the consent, days; at most the purpose's "
        "fair-use limit."
    )
    max_reads: int | None
    data_life_days: int
    reason: str = strawberry.field(
        description="Shown to the enterprise: why, in the requester's words."
    )
    reference: str | None = strawberry.field(
        description="The requester's own reference, e.g. its loan application "
        "number; echoed on outcomes and events."
    )
    status: ConsentRequestStatus
    created_at: datetime
    expires_at: datetime = strawberry.field(
        description="An unanswered request expires then."
    )
    decided_at: datetime | None
    rejection_reason: str | None
    requester_id: strawberry.Private[str]
    consent_id: strawberry.Private[str | None]

    @strawberry.field
    async def requester(self, info: Info) -> Principal:
        client = await clients_by_id(info.context).load(self.requester_id)
        if client is None:  # pragma: no cover - foreign key
            raise RuntimeError("consent request requester missing")
        return Principal.from_client(client)

    @strawberry.field
    async def consent(self, info: Info) -> Consent | None:
        if self.consent_id is None:
            return None
        row = await consents_by_id(info.context).load(self.consent_id)
        return Consent.from_row(row, info.context.hub.clock.now()) if row else None

    @classmethod
    def from_row(cls, row: RequestRow, now: datetime) -> ConsentRequest:
        return cls(
            id=strawberry.ID(row.id),
            subject=USCC(row.subject),
            purpose=Purpose(row.purpose),
            scenario=row.scenario,
            categories=[DataCategory(c) for c in row.categories],
            duration_days=row.duration_days,
            max_reads=row.max_reads,
            data_life_days=row.data_life_days,
            reason=row.reason,
            reference=row.reference,
            status=request_status(row, now),
            created_at=row.created_at,
            expires_at=row.expires_at,
            decided_at=row.decided_at,
            rejection_reason=row.rejection_reason,
            requester_id=row.requester_id,
            consent_id=row.consent_id,
        )


def _iso(value: str) -> str:
    datetime.fromisoformat(value)
    return value


@strawberry.type
class ConsentRequestQuery:
    @strawberry.field(
        description="The subject sees requests to it; a requester sees its own; an "
        "admin sees all.",
        permission_classes=[IsAuthenticated],
    )
    async def consent_requests(
        self,
        info: Info,
        status: ConsentRequestStatus | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[ConsentRequest]:
        ctx = info.context
        cursor = decode_cursor(after, 2, (_iso, str))
        async with ctx.db() as session:
            rows, total, more = await service.list_requests(
                session,
                ctx.hub,
                ctx.principal,
                status=status,
                first=check_first(first),
                after=(cursor[0], cursor[1]) if cursor else None,
            )
        now = ctx.hub.clock.now()
        return Connection.build(
            rows,
            more,
            total,
            node=lambda r: ConsentRequest.from_row(r, now),
            cursor=lambda r: (r.created_at.isoformat(), r.id),
        )
