"""``Event`` and the ``events(types:)`` subscription.

An event reaches a client as it may see it, decided (and audited) once when
the hub routed it (``hub.events.routing``); this module only turns that
payload into GraphQL.  The subscription re-checks the credential on every
message and at least every ``HUB_SUBSCRIPTION_CHECK_SECONDS`` (≤ 5 s)
without one, so it ends with ``UNAUTHENTICATED`` within that time after the
token expires or the client is suspended.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

import schema.enums  # noqa: F401  (contract enums registered first)
from hub.backends.pubsub import Subscription
from hub.enums import (
    DataCategory,
    EventType,
    Grade,
    ListKind,
    PrincipalKind,
    RecordStatus,
    Severity,
)
from hub.events.feed import CHANNEL, follow
from schema.alerts import still_authenticated
from schema.permissions import HasKind
from schema.records import CreditRecord, ListMembership
from schema.scalars import USCC

__all__ = ["Event", "EventSubscription", "GradeChange", "IsClient"]


class IsClient(HasKind):
    """Clients hear of events; enterprises read their notices instead."""

    kinds = frozenset(PrincipalKind) - {PrincipalKind.SUBJECT, PrincipalKind.ADMIN}


@strawberry.type
class GradeChange:
    from_: Grade | None = strawberry.field(name="from")
    to: Grade
    score: int


def _day(value: Any) -> date | None:
    return None if value is None else date.fromisoformat(str(value))


def record_from_json(r: dict[str, Any]) -> CreditRecord:
    return CreditRecord(
        id=strawberry.ID(str(r["id"])),
        category=DataCategory(r["category"]),
        kind=r["kind"],
        severity=Severity(r["severity"]),
        status=RecordStatus(r["status"]),
        title=r["title"],
        authority=r.get("authority"),
        occurred_on=_day(r.get("occurredOn")),
        decided_on=_day(r.get("decidedOn")),
        publish_from=_day(r.get("publishFrom")),
        publish_until=_day(r.get("publishUntil")),
        source=r["source"],
        details=r.get("details"),
    )


def list_from_json(m: dict[str, Any]) -> ListMembership:
    since = _day(m.get("since"))
    assert since is not None  # memberships always have a start
    return ListMembership(
        id=strawberry.ID(str(m.get("id") or "")),
        status=str(m.get("status") or "ACTIVE"),
        kind=ListKind(m["kind"]),
        list_name=m["listName"],
        basis=m["basis"],
        since=since,
        until=_day(m.get("until")),
    )


@strawberry.type(
    description="Everything the hub tells the outside world about a subject, as "
    "this reader may see it."
)
class Event:
    id: strawberry.ID
    type: EventType
    uscc: USCC
    at: datetime
    record: CreditRecord | None = strawberry.field(
        description="The record concerned, as this recipient may see it (null when "
        "its consent does not cover the category; the id is then in recordId)."
    )
    record_id: strawberry.ID | None
    list: ListMembership | None
    grade: GradeChange | None
    consent_id: strawberry.ID | None
    consent_request_id: strawberry.ID | None
    reference: str | None = strawberry.field(
        description="The requester's reference of the consent request behind this "
        "event, if any."
    )

    @classmethod
    def from_payload(cls, p: dict[str, Any]) -> Event:
        grade = p.get("grade")
        return cls(
            id=strawberry.ID(p["id"]),
            type=EventType(p["type"]),
            uscc=USCC(p["uscc"]),
            at=datetime.fromisoformat(p["at"]),
            record=record_from_json(p["record"]) if p.get("record") else None,
            record_id=_id(p.get("recordId")),
            list=list_from_json(p["list"]) if p.get("list") else None,
            grade=GradeChange(
                from_=Grade(grade["from"]) if grade.get("from") else None,
                to=Grade(grade["to"]),
                score=int(grade["score"]),
            )
            if grade
            else None,
            consent_id=_id(p.get("consentId")),
            consent_request_id=_id(p.get("consentRequestId")),
            reference=p.get("reference"),
        )


def _id(value: Any) -> strawberry.ID | None:
    return None if value is None else strawberry.ID(str(value))


@strawberry.type
class EventSubscription:
    @strawberry.subscription(
        description="Events about subjects the caller may hear of: MONITORING consent "
        "holders for record/list/grade events, grantees for their consents, past "
        "recipients for corrections. Ends with UNAUTHENTICATED within 5 s after the "
        "token expires or the client is suspended.",
        permission_classes=[IsClient],
    )
    async def events(
        self, info: Info, types: list[EventType] | None = None
    ) -> AsyncGenerator[Event, None]:
        ctx = info.context
        await still_authenticated(ctx)  # the socket may be older than the token
        wanted = {t.value for t in types} if types else None
        sub: Subscription = ctx.hub.pubsub.subscribe(CHANNEL)
        async with sub:
            async for payload in follow(
                ctx.hub,
                ctx.principal,
                sub,
                types=wanted,
                check=lambda: still_authenticated(ctx),
                every=ctx.hub.settings.subscription_check_seconds,
            ):
                yield Event.from_payload(payload)
