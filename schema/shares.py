"""``dataShares``: who can currently see what of an enterprise (its own view)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import strawberry
from strawberry.types import Info

import schema.enums  # noqa: F401  (contract enums registered first)
from hub.enums import DataCategory, Purpose
from hub.rights.shares import data_shares
from schema.clients import PrincipalType
from schema.queues import SubjectOrAdmin
from schema.scalars import USCC

if TYPE_CHECKING:
    from hub.rights.shares import DataShare as ShareRow

__all__ = ["DataShare", "ShareQuery"]


@strawberry.type(
    description="What one client can currently see, under one ACTIVE consent."
)
class DataShare:
    consent_id: strawberry.ID
    grantee: PrincipalType
    purpose: Purpose
    categories: list[DataCategory]
    granted_at: datetime
    expires_at: datetime

    @classmethod
    def from_share(cls, s: ShareRow) -> DataShare:
        c = s.consent
        return cls(
            consent_id=strawberry.ID(c.id),
            grantee=PrincipalType.from_client(s.grantee),
            purpose=Purpose(c.purpose),
            categories=[DataCategory(x) for x in c.categories],
            granted_at=c.granted_at,
            expires_at=c.expires_at,
        )


@strawberry.type
class ShareQuery:
    @strawberry.field(
        description="Per ACTIVE consent: who can currently see what of this "
        "enterprise, for which purpose, until when. The subject itself or an admin.",
        permission_classes=[SubjectOrAdmin],
    )
    async def data_shares(
        self,
        info: Info,
        uscc: USCC,
    ) -> list[DataShare]:
        ctx = info.context
        async with ctx.db() as session:
            shares = await data_shares(session, ctx.hub, ctx.principal, str(uscc))
        return [DataShare.from_share(s) for s in shares]
