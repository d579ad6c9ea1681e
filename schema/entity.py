"""Basic registration data of an entity (any authenticated principal)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import strawberry
from strawberry.types import Info

from hub.entities import registration
from hub.enums import EntityKind
from schema.permissions import IsAuthenticated
from schema.scalars import USCC

if TYPE_CHECKING:
    from hub.models import Entity as EntityRow
    from hub.profiles.service import Registration

__all__ = ["Entity", "EntityQuery"]


@strawberry.type
class Entity:
    uscc: USCC
    name: str
    kind: EntityKind
    region_code: str = strawberry.field(
        description="GB/T 2260 administrative division code, 6 digits."
    )
    industry_code: str | None
    established_on: date | None
    registered_capital: float | None = strawberry.field(
        description="Registered capital in CNY."
    )
    legal_representative: str | None
    status: str

    @classmethod
    def from_row(cls, row: EntityRow | Registration) -> Entity:
        return cls(
            uscc=USCC(row.uscc),
            name=row.name,
            kind=EntityKind(row.kind),
            region_code=row.region_code,
            industry_code=row.industry_code,
            established_on=row.established_on,
            registered_capital=row.registered_capital,
            legal_representative=row.legal_representative,
            status=row.status,
        )


@strawberry.type
class EntityQuery:
    @strawberry.field(
        description="Basic registration data; any authenticated principal.",
        permission_classes=[IsAuthenticated],
    )
    async def entity(self, info: Info, uscc: USCC) -> Entity | None:
        async with info.context.db() as session:
            row = await registration(session, str(uscc))
        return Entity.from_row(row) if row else None
