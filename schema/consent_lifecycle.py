"""The subject's controls over a consent: pause, resume, amend.

Each change issues a new signed receipt (``Consent.receipts``).
"""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from hub.consent import lifecycle
from hub.enums import DataCategory
from schema.consents import Consent
from schema.permissions import IsSubject

__all__ = ["ConsentLifecycleMutation"]


@strawberry.type
class ConsentLifecycleMutation:
    @strawberry.mutation(
        description="Suspend a consent: reads under it are refused "
        "(CONSENT_REQUIRED, reason PAUSED) until it is resumed.",
        permission_classes=[IsSubject],
    )
    async def pause_consent(self, info: Info, id: strawberry.ID) -> Consent:
        ctx = info.context
        async with ctx.db() as session:
            row = await lifecycle.pause(session, ctx.hub, ctx.principal, str(id))
        return Consent.from_row(row, ctx.hub.clock.now())

    @strawberry.mutation(permission_classes=[IsSubject])
    async def resume_consent(self, info: Info, id: strawberry.ID) -> Consent:
        ctx = info.context
        async with ctx.db() as session:
            row = await lifecycle.resume(session, ctx.hub, ctx.principal, str(id))
        return Consent.from_row(row, ctx.hub.clock.now())

    @strawberry.mutation(
        description="Narrow the categories or bring the expiry forward; a new "
        "receipt is issued.",
        permission_classes=[IsSubject],
    )
    async def amend_consent(
        self,
        info: Info,
        id: strawberry.ID,
        categories: list[DataCategory] | None = None,
        expires_at: datetime | None = None,
    ) -> Consent:
        ctx = info.context
        async with ctx.db() as session:
            row = await lifecycle.amend(
                session,
                ctx.hub,
                ctx.principal,
                str(id),
                categories=categories,
                expires_at=expires_at,
            )
        return Consent.from_row(row, ctx.hub.clock.now())
