"""``riskAlerts``: new negative records (and repairs) of monitored subjects.

Each message on ``hub.pubsub`` channel ``risk-alerts`` is delivered to a
subscribed BANK only if, at that moment, it holds an ACTIVE MONITORING consent
from the subject covering the record's category, and only as clients may see
the record — decided, audited and loaded by :func:`hub.alerts.deliver`, door
first.  Anything else is skipped silently.

A subscription outlives the request that opened it, so the credential is
re-verified on every message and, between messages, every
``HUB_SUBSCRIPTION_RECHECK_SECONDS`` (:mod:`schema.live`): an expired token, a
suspended client or a rotated secret ends it with ``UNAUTHENTICATED`` within
5 s, without waiting for a message (contract v2).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from hub.alerts import CHANNEL, Alert, deliver
from hub.auth.scopes import Scope
from hub.enums import PrincipalKind
from hub.errors import ErrorCode, HubError
from schema.live import still_authenticated, while_credentials_hold
from schema.permissions import HasKind
from schema.records import CreditRecord
from schema.scalars import USCC

__all__ = ["AlertSubscription", "RiskAlert", "still_authenticated"]


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
    uscc: USCC
    record: CreditRecord
    at: datetime
    reason: str = strawberry.field(
        description="NEW_NEGATIVE_RECORD or RECORD_REPAIRED."
    )

    @classmethod
    def from_alert(cls, alert: Alert) -> RiskAlert:
        return cls(
            uscc=USCC(alert.uscc),
            record=CreditRecord.from_row(alert.record),
            at=alert.at,
            reason=alert.reason,
        )


@strawberry.type
class AlertSubscription:
    @strawberry.subscription(
        description="New negative records of subjects the caller holds an ACTIVE "
        "MONITORING consent for, and repairs of such records (without their "
        "content). Ends with UNAUTHENTICATED within 5 s of the token expiring, "
        "the client being suspended or its secret rotated.",
        permission_classes=[IsMonitoringBank],
    )
    async def risk_alerts(self, info: Info) -> AsyncGenerator[RiskAlert, None]:
        ctx = info.context
        async with ctx.hub.pubsub.subscribe(CHANNEL) as sub:
            async for message in while_credentials_hold(ctx, sub):
                alert = await deliver(ctx.hub, ctx.principal, message)
                if alert is not None:
                    yield RiskAlert.from_alert(alert)
