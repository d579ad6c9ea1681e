"""CreditRecord, ListMembership and SourceStatus types."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import strawberry

from hub.enums import DataCategory, ListKind, RecordStatus, Severity
from schema.scalars import JSON

if TYPE_CHECKING:
    from hub.models import CreditRecord as RecordRow
    from hub.models import ListMembership as ListRow

__all__ = [
    "CreditRecord",
    "ListMembership",
    "SourceStatus",
]


@strawberry.type
class CreditRecord:
    id: strawberry.ID
    category: DataCategory
    kind: str = strawberry.field(
        description="Machine kind, e.g. ADMIN_PENALTY, ADMIN_LICENSE, TAX_RATING, "
        "DISHONEST_JUDGMENT_DEBTOR, UTILITY_ARREARS."
    )
    severity: Severity
    status: RecordStatus
    title: str
    authority: str | None
    occurred_on: date | None
    decided_on: date | None
    publish_from: date | None
    publish_until: date | None
    source: str = strawberry.field(
        description="Connector or import source that supplied the record."
    )
    details: JSON | None

    @classmethod
    def from_row(cls, r: RecordRow) -> CreditRecord:
        return cls(
            id=strawberry.ID(str(r.id)),
            category=DataCategory(r.category),
            kind=r.kind,
            severity=Severity(r.severity),
            status=RecordStatus(r.status),
            title=r.title,
            authority=r.authority,
            occurred_on=r.occurred_on,
            decided_on=r.decided_on,
            publish_from=r.publish_from,
            publish_until=r.publish_until,
            source=r.source,
            details=r.details,  # type: ignore[arg-type]
        )


@strawberry.type
class ListMembership:
    id: strawberry.ID = strawberry.field(
        description="What fileListObjection(membershipId:) takes."
    )
    kind: ListKind
    list_name: str
    basis: str
    since: date
    until: date | None
    status: str = strawberry.field(
        description="ACTIVE, DISPUTED (an objection is open; the listing keeps "
        "its effect), ENDED."
    )

    @classmethod
    def from_row(cls, r: ListRow) -> ListMembership:
        return cls(
            id=strawberry.ID(str(r.id)),
            kind=ListKind(r.kind),
            list_name=r.list_name,
            basis=r.basis,
            since=r.since,
            until=r.until,
            status=r.status,
        )


@strawberry.type(description="Freshness of one external source inside a profile.")
class SourceStatus:
    source: str
    as_of: datetime | None
    stale: bool
    error: str | None
