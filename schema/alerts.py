"""``riskAlerts``: new negative records (and repairs) of monitored subjects.

Each message on ``hub.pubsub`` channel ``risk-alerts`` is delivered to a
subscribed BANK only if, at that moment, it holds an ACTIVE MONITORING consent
from the subject covering the record's category — decided and audited by the
door (action ``alert.deliver``) in its own unit of work.  Anything else is
skipped silently: a bank learns nothing about subjects that did not consent.

What is delivered follows the profile rule (``hub.profiles.visibility``):
a new record only while clients may see it (ACTIVE or DISPUTED, inside its
publication window); a repaired one only as the fact of the repair, without
its content — after repair no client sees the record again
(信用修复管理办法 2026).

A subscription outlives the request that opened it, so the credential is
re-verified on every message: an expired token or a suspended client ends it
with ``UNAUTHENTICATED`` (DESIGN.md, "Security": suspension bites at the next
request; here the next message is the next request).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from hub.access.door import open_door
from hub.alerts import CHANNEL, RECORD_REPAIRED
from hub.auth.authenticate import principal_from_request
from hub.auth.principal import Principal
from hub.auth.scopes import Scope
from hub.db import session_scope
from hub.enums import DataCategory, PrincipalKind, Purpose, RecordStatus, Severity
from hub.errors import ErrorCode, HubError
from hub.models import CreditRecord as RecordRow
from hub.profiles.visibility import record_is_shared
from hub.rights import repository as repo
from schema.permissions import HasKind
from schema.records import CreditRecord
from schema.scalars import USCC

__all__ = ["AlertSubscription", "RiskAlert", "deliverable", "still_authenticated"]


class IsMonitoringBank(HasKind):
    kinds = frozenset({PrincipalKind.BANK})

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        super().has_permission(source, info, **kwargs)
        if Scope.MONITORING.value not in info.context.principal.scopes:
            raise HubError(
                "riskAlerts needs a token with scope 'monitoring'.", ErrorCode.FORBIDDEN
            )
        return True


@strawberry.type
class RiskAlert:
    uscc: USCC  # type: ignore[valid-type]
    record: CreditRecord
    at: datetime
    reason: str = strawberry.field(
        description="NEW_NEGATIVE_RECORD or RECORD_REPAIRED."
    )


REPAIRED_TITLE = "信用记录已修复"


def repaired_view(record: RecordRow) -> CreditRecord:
    """A repaired record as an alert shows it: that it was repaired, nothing more."""
    return CreditRecord(
        id=strawberry.ID(str(record.id)),
        category=DataCategory(record.category),
        kind=record.kind,
        severity=Severity(record.severity),
        status=RecordStatus.REPAIRED,
        title=REPAIRED_TITLE,
        authority=None,
        occurred_on=None,
        decided_on=record.decided_on,
        publish_from=None,
        publish_until=None,
        source=record.source,
        details=None,
    )


def _view(record: RecordRow, reason: object, hub: Any) -> CreditRecord | None:
    """What the alert may show of ``record``; ``None``: nothing (skip it)."""
    if reason == RECORD_REPAIRED:
        return repaired_view(record) if record.status == RecordStatus.REPAIRED else None
    if not record_is_shared(record, hub.clock.today()):
        return None  # withdrawn, repaired, expired or not yet published
    return CreditRecord.from_row(record)


async def deliverable(
    hub: Any, principal: Principal, message: dict[str, Any]
) -> RiskAlert | None:
    """The alert for ``principal``, through the door; ``None`` to skip it."""
    uscc, record_id = str(message.get("uscc")), message.get("record_id")
    reason = message.get("reason")
    if not isinstance(record_id, int):
        return None
    try:
        async with session_scope(hub.sessionmaker) as session:
            # Cheap pre-check, so banks without any consent leave no denials
            # in the subject's access log for alerts that were never theirs.
            if not await repo.has_monitoring_consent(
                session, uscc, principal.id, hub.clock.now()
            ):
                return None
            record = await repo.record(session, record_id)
            if record is None or record.uscc != uscc:
                return None
            node = _view(record, reason, hub)
            if node is None:
                return None
            await open_door(
                session,
                hub,
                principal,
                uscc=uscc,
                purpose=Purpose.MONITORING,
                action="alert.deliver",
                categories={DataCategory(record.category)},
                require_all=True,
                detail={"record": record.id, "reason": reason},
            )
    except HubError:
        return None  # refused (and audited by the door): skip silently
    return RiskAlert(
        uscc=USCC(uscc),
        record=node,
        at=datetime.fromisoformat(str(message["at"])),
        reason=str(reason),
    )


async def still_authenticated(ctx: Any) -> None:
    """Re-verify the subscriber's credential; raise ``UNAUTHENTICATED`` if stale.

    The principal does not keep the token's ``exp``, so the credential the
    socket authenticated with (``SocketContext.authorization``) is verified
    again: signature, expiry, and that the client is still ACTIVE
    (``hub.auth.status.client_status``, where a suspension always wins).
    """
    found = await principal_from_request(getattr(ctx, "authorization", None), ctx.hub)
    if found is None or found.id != ctx.principal.id:
        raise HubError(
            "This subscription's credentials are no longer valid; reconnect with "
            "a new token.",
            ErrorCode.UNAUTHENTICATED,
        )


@strawberry.type
class AlertSubscription:
    @strawberry.subscription(
        description="New negative records of subjects the caller holds an ACTIVE "
        "MONITORING consent for, and repairs of such records (without their "
        "content). Ends with UNAUTHENTICATED once the token expires or the client "
        "is suspended.",
        permission_classes=[IsMonitoringBank],
    )
    async def risk_alerts(self, info: Info) -> AsyncGenerator[RiskAlert, None]:
        ctx = info.context
        await still_authenticated(ctx)  # the socket may be older than the token
        async with ctx.hub.pubsub.subscribe(CHANNEL) as sub:
            async for message in sub:
                await still_authenticated(ctx)
                alert = await deliverable(ctx.hub, ctx.principal, message)
                if alert is not None:
                    yield alert
