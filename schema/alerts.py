"""``riskAlerts``: new negative records (and repairs) of monitored subjects.

Each message on ``hub.pubsub`` channel ``risk-alerts`` is delivered to a
subscribed BANK only if, at that moment, it holds an ACTIVE MONITORING consent
from the subject covering the record's category — decided and audited by the
door (action ``alert.deliver``) in its own unit of work.  Anything else is
skipped silently: a bank learns nothing about subjects that did not consent.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from hub.access.door import open_door
from hub.alerts import CHANNEL
from hub.auth.principal import Principal
from hub.auth.scopes import Scope
from hub.db import session_scope
from hub.enums import DataCategory, PrincipalKind, Purpose
from hub.errors import ErrorCode, HubError
from hub.rights import repository as repo
from schema.permissions import HasKind
from schema.records import CreditRecord
from schema.scalars import USCC

__all__ = ["AlertSubscription", "RiskAlert"]


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


async def deliverable(
    hub: Any, principal: Principal, message: dict[str, Any]
) -> RiskAlert | None:
    """The alert for ``principal``, through the door; ``None`` to skip it."""
    uscc, record_id = str(message.get("uscc")), message.get("record_id")
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
            await open_door(
                session,
                hub,
                principal,
                uscc=uscc,
                purpose=Purpose.MONITORING,
                action="alert.deliver",
                categories={DataCategory(record.category)},
                require_all=True,
                detail={"record": record.id, "reason": message.get("reason")},
            )
            node = CreditRecord.from_row(record)
    except HubError:
        return None  # refused (and audited by the door): skip silently
    return RiskAlert(
        uscc=USCC(uscc),
        record=node,
        at=datetime.fromisoformat(str(message["at"])),
        reason=str(message.get("reason")),
    )


@strawberry.type
class AlertSubscription:
    @strawberry.subscription(
        description="New negative records of subjects the caller holds an ACTIVE "
        "MONITORING consent for.",
        permission_classes=[IsMonitoringBank],
    )
    async def risk_alerts(self, info: Info) -> AsyncGenerator[RiskAlert, None]:
        ctx = info.context
        async with ctx.hub.pubsub.subscribe(CHANNEL) as sub:
            async for message in sub:
                alert = await deliverable(ctx.hub, ctx.principal, message)
                if alert is not None:
                    yield alert
