"""Shared helpers of the rights tests: actors, queries, service-level checks."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from hub.auth.principal import Principal
from hub.db import session_scope
from hub.decisions.service import check_eligibility
from hub.enums import PrincipalKind
from hub.errors import HubError
from hub.evaluation.service import evaluation_for
from hub.models import AuditEvent, CreditRecord, Entity
from scenarios import ScenarioRegistry
from tests.api import Api, ClientCreds
from tests.grants import own_grant

__all__ = [
    "OTHER",
    "USCC",
    "admin",
    "audit_actions",
    "count",
    "data_version",
    "negative",
    "outcome",
    "principal",
    "record_row",
    "score",
]

USCC = "91350100M000100Y43"
OTHER = "91110000100017643K"
_REGISTRY: list[ScenarioRegistry] = []


async def negative(
    api: Api,
    source_id: str,
    severity: str = "SERIOUS",
    decided: date = date(2026, 10, 24),
    uscc: str = USCC,
    **kw: Any,
) -> int:
    """A PENALTY record of ``severity`` decided on ``decided``."""
    fields: dict[str, Any] = dict(
        category="PENALTY",
        kind="ADMIN_PENALTY",
        severity=severity,
        title="罚款 5 万元",
        source="market-regulation",
        occurred_on=decided,
        decided_on=decided,
        publish_from=decided,
        details={"amount": 50000},
    )
    fields.update(kw)
    return await api.record(uscc, source_id, **fields)


def principal(c: ClientCreds) -> Principal:
    return Principal(id=c.id, kind=c.kind, name="test", scopes=("eligibility",))


async def outcome(api: Api, bank: ClientCreds, uscc: str = USCC) -> str:
    """credit-loan outcome for a bank without consent: RESTRICTED or the refusal."""
    if not _REGISTRY:
        _REGISTRY.append(ScenarioRegistry.from_entry_points())
    api.hub.scenarios = _REGISTRY[0]
    try:
        async with session_scope(api.hub.sessionmaker) as s:
            d = await check_eligibility(
                s, api.hub, principal(bank), "credit-loan", uscc
            )
            return d.outcome
    except HubError as e:
        return str(e.code)


async def score(api: Api, uscc: str = USCC) -> int:
    async with session_scope(api.hub.sessionmaker) as s:
        grant = await own_grant(s, api.hub, uscc)
        return (await evaluation_for(s, api.hub, grant)).score


async def data_version(api: Api, uscc: str = USCC) -> int:
    async with api.hub.sessionmaker() as s:
        return int(
            await s.scalar(select(Entity.data_version).where(Entity.uscc == uscc)) or 0
        )


async def record_row(api: Api, rid: int) -> CreditRecord | None:
    async with api.hub.sessionmaker() as s:
        return await s.get(CreditRecord, rid)


async def audit_actions(api: Api, uscc: str = USCC) -> list[tuple[str, str, str]]:
    """(action, outcome, actor_id) of the subject's events, in chain order."""
    async with api.hub.sessionmaker() as s:
        rows = await s.execute(
            select(
                AuditEvent.action,
                AuditEvent.outcome,
                AuditEvent.actor_id,
            )
            .where(AuditEvent.subject == uscc)
            .order_by(AuditEvent.n)
        )
        return [tuple(r) for r in rows.all()]  # type: ignore[misc]


async def count(api: Api, model: Any) -> int:
    async with api.hub.sessionmaker() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


async def admin(api: Api) -> ClientCreds:
    return await api.client(PrincipalKind.ADMIN, "平台管理员")
