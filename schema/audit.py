"""accessLog (the subject's query record) and auditEvents (admins)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import strawberry
from strawberry.types import Info

from hub.audit import service
from hub.audit.service import AuditQuery
from hub.enums import DataCategory, PrincipalKind, Purpose
from schema.common import (
    Connection,
    check_first,
    decode_cursor,
)
from schema.permissions import IsAdmin, IsAuthenticated
from schema.scalars import USCC

if TYPE_CHECKING:
    from hub.models import AuditEvent as EventRow

__all__ = ["AccessLogFilter", "AuditEvent", "AuditQueryType"]


@strawberry.type
class AuditEvent:
    id: strawberry.ID
    at: datetime
    actor_id: str
    actor_kind: PrincipalKind
    action: str = strawberry.field(
        description="e.g. profile.read, profile.denied, eligibility.check, "
        "consent.grant, consent.revoke, client.create, connector.fetch"
    )
    subject: USCC | None
    purpose: Purpose | None
    consent_id: strawberry.ID | None
    categories: list[DataCategory]
    outcome: str
    hash: str
    prev_hash: str
    detail: strawberry.scalars.JSON | None
    sealed: bool = strawberry.field(
        description="Linked onto the hash chain. Lists show sealed events only "
        "(they seal what has committed before they look), in chain order, so "
        "paging never skips an event that commits late."
    )
    officer: str | None = strawberry.field(
        description="The client's own officer behind the action (X-Hub-Officer "
        "header), shown to the subject."
    )

    @classmethod
    def from_row(cls, e: EventRow) -> AuditEvent:
        return cls(
            id=strawberry.ID(e.id),
            at=e.at,
            actor_id=e.actor_id,
            actor_kind=PrincipalKind(e.actor_kind),
            action=e.action,
            subject=USCC(e.subject) if e.subject else None,
            purpose=Purpose(e.purpose) if e.purpose else None,
            consent_id=strawberry.ID(e.consent_id) if e.consent_id else None,
            categories=[DataCategory(c) for c in e.categories or []],
            outcome=e.outcome,
            hash=e.hash,
            prev_hash=e.prev_hash,
            detail=e.detail,  # type: ignore[arg-type]
            sealed=e.seq is not None,
            officer=e.officer,
        )


@strawberry.input
class AuditFilter:
    subject: USCC | None = None
    actor_id: str | None = None
    action: str | None = None
    from_: datetime | None = strawberry.field(name="from", default=None)
    to: datetime | None = None


@strawberry.input(
    description="Narrows an access log: who (actorId), what (action, e.g. "
    "profile.read), for which purpose, with which outcome (GRANTED, RESTRICTED, "
    "DENIED — which also finds DENIED:<code>), when (from inclusive, to exclusive)."
)
class AccessLogFilter:
    actor_id: str | None = None
    action: str | None = None
    purpose: Purpose | None = None
    outcome: str | None = None
    from_: datetime | None = strawberry.field(name="from", default=None)
    to: datetime | None = None

    def query(self) -> AuditQuery:
        return AuditQuery(
            actor_id=self.actor_id or None,
            action=self.action or None,
            purpose=self.purpose.value if self.purpose else None,
            outcome=self.outcome or None,
            at_from=self.from_,
            at_to=self.to,
        )


# Cursors carry the chain position (``seq``), tagged so a cursor of another
# ordering is refused rather than misread.
_CHAIN = "seq"


def _page(rows: list[EventRow], total: int, first: int) -> Connection[AuditEvent]:
    return Connection.build(
        rows[:first],
        len(rows) > first,
        total,
        node=AuditEvent.from_row,
        cursor=lambda r: (_CHAIN, r.seq),
    )


def _chain_tag(value: str) -> str:
    if value != _CHAIN:
        raise ValueError("not an audit cursor")
    return value


def _bounds(first: int | None, after: str | None) -> tuple[int, int | None]:
    cursor = decode_cursor(after, 2, (_chain_tag, int))
    return check_first(first), int(cursor[1]) if cursor else None


@strawberry.type
class AuditQueryType:
    @strawberry.field(
        description="Who read this subject's data, when and why. The subject itself "
        "or an admin.",
        permission_classes=[IsAuthenticated],
    )
    async def access_log(
        self,
        info: Info,
        uscc: USCC,
        first: int | None = 20,
        after: str | None = None,
        filter: AccessLogFilter | None = None,
    ) -> Connection[AuditEvent]:
        n, before = _bounds(first, after)
        async with info.context.db() as session:
            rows, total = await service.access_log(
                session,
                info.context.principal,
                str(uscc),
                n,
                before,
                seal_with=info.context.hub.sessionmaker,
                narrow=filter.query() if filter else None,
            )
        return _page(rows, total, n)

    @strawberry.field(permission_classes=[IsAdmin])
    async def audit_events(
        self,
        info: Info,
        filter: AuditFilter | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[AuditEvent]:
        f = filter or AuditFilter()
        q = AuditQuery(
            subject=str(f.subject) if f.subject else None,
            actor_id=f.actor_id,
            action=f.action,
            at_from=f.from_,
            at_to=f.to,
        )
        n, before = _bounds(first, after)
        async with info.context.db() as session:
            rows, total = await service.search(
                session, q, n, before, seal_with=info.context.hub.sessionmaker
            )
        return _page(rows, total, n)
