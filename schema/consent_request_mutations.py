"""Consent requests: a grantee asks, the enterprise approves or rejects.

Requests come from clients (``IsClient``); only the enterprise asked answers
(``IsSubject``, and the service checks it is that enterprise); only the
requester withdraws.
"""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from hub.consent import requests as service
from hub.enums import DataCategory, Purpose
from schema.consent_requests import ConsentRequest
from schema.consents import Consent
from schema.permissions import IsClient, IsSubject
from schema.scalars import USCC

__all__ = [
    "ApproveConsentRequestInput",
    "ConsentRequestInput",
    "ConsentRequestMutation",
]


@strawberry.input
class ConsentRequestInput:
    subject: USCC
    purpose: Purpose
    scenario: str | None = None
    categories: list[DataCategory]
    duration_days: int
    max_reads: int | None = None
    data_life_days: int
    reason: str
    reference: str | None = None


@strawberry.input(
    description="Approval may narrow the categories, the duration and maxReads; "
    "it never widens them."
)
class ApproveConsentRequestInput:
    id: strawberry.ID
    categories: list[DataCategory] | None = None
    duration_days: int | None = None
    max_reads: int | None = None


@strawberry.type
class ConsentRequestMutation:
    @strawberry.mutation(permission_classes=[IsClient])
    async def request_consent(
        self, info: Info, input: ConsentRequestInput, idempotency_key: str | None = None
    ) -> ConsentRequest:
        ctx = info.context
        new = service.NewRequest(
            subject=str(input.subject),
            purpose=str(input.purpose),
            scenario=input.scenario,
            categories=tuple(input.categories),
            duration_days=input.duration_days,
            max_reads=input.max_reads,
            data_life_days=input.data_life_days,
            reason=input.reason,
            reference=input.reference,
        )
        async with ctx.db() as session:
            row = await service.request_consent(
                session, ctx.hub, ctx.principal, new, idempotency_key
            )
        return ConsentRequest.from_row(row, ctx.hub.clock.now())

    @strawberry.mutation(permission_classes=[IsClient])
    async def withdraw_consent_request(
        self, info: Info, id: strawberry.ID, idempotency_key: str | None = None
    ) -> ConsentRequest:
        ctx = info.context
        async with ctx.db() as session:
            row = await service.withdraw(
                session, ctx.hub, ctx.principal, str(id), idempotency_key
            )
        return ConsentRequest.from_row(row, ctx.hub.clock.now())

    @strawberry.mutation(permission_classes=[IsSubject])
    async def approve_consent_request(
        self,
        info: Info,
        input: ApproveConsentRequestInput,
        idempotency_key: str | None = None,
    ) -> Consent:
        ctx = info.context
        approval = service.Approval(
            id=str(input.id),
            categories=tuple(input.categories)
            if input.categories is not None
            else None,
            duration_days=input.duration_days,
            max_reads=input.max_reads,
        )
        async with ctx.db() as session:
            row = await service.approve(
                session, ctx.hub, ctx.principal, approval, idempotency_key
            )
        return Consent.from_row(row, ctx.hub.clock.now())

    @strawberry.mutation(permission_classes=[IsSubject])
    async def reject_consent_request(
        self,
        info: Info,
        id: strawberry.ID,
        reason: str,
        idempotency_key: str | None = None,
    ) -> ConsentRequest:
        ctx = info.context
        async with ctx.db() as session:
            row = await service.reject(
                session, ctx.hub, ctx.principal, str(id), reason, idempotency_key
            )
        return ConsentRequest.from_row(row, ctx.hub.clock.now())
