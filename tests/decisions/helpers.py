"""Seeding through the services users call: import, clients, consents."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.auth.clients import client_service
from hub.auth.principal import Principal
from hub.auth.scopes import allowed_scopes
from hub.consent.service import GrantRequest, grant
from hub.db import session_scope
from hub.enums import DataCategory, PrincipalKind, Purpose
from hub.importer.service import import_rows
from hub.models import AuditEvent
from hub.resources import Hub

__all__ = ["ADMIN", "GOOD", "BLACK", "Seeder", "entity", "events", "lst", "record"]

GOOD = "91350100M000100Y43"
BLACK = "91110000100017643K"
ADMIN = Principal(id="admin-1", kind=PrincipalKind.ADMIN, name="平台管理员")


def entity(uscc: str, established: str = "2015-03-02", **over: Any) -> dict[str, Any]:
    return {
        "type": "entity",
        "uscc": uscc,
        "name": "郑州中原食品有限公司",
        "kind": "ENTERPRISE",
        "region_code": "410100",
        "industry_code": "C14",
        "established_on": established,
        "registered_capital": 5000000,
        "legal_representative": "王伟",
        "status": "存续",
        **over,
    }


def record(
    uscc: str,
    source_id: str,
    category: str,
    kind: str,
    severity: str = "NONE",
    **over: Any,
) -> dict[str, Any]:
    return {
        "type": "record",
        "uscc": uscc,
        "source": "test",
        "source_id": source_id,
        "category": category,
        "kind": kind,
        "severity": severity,
        "title": f"{kind} {source_id}",
        "authority": "测试机关",
        "occurred_on": "2026-01-10",
        "decided_on": "2026-02-01",
        "publish_from": "2026-02-01",
        "publish_until": None,
        **over,
    }


def lst(
    uscc: str,
    kind: str = "BLACK",
    name: str = "失信被执行人名单",
    basis: str = "（2025）豫01执123号",
    since: str = "2025-06-01",
) -> dict[str, Any]:
    return {
        "type": "list",
        "uscc": uscc,
        "kind": kind,
        "list_name": name,
        "basis": basis,
        "since": since,
        "until": None,
    }


async def events(session: AsyncSession, subject: str) -> list[tuple[str, str]]:
    rows = await session.execute(
        select(AuditEvent.action, AuditEvent.outcome)
        .where(AuditEvent.subject == subject)
        .order_by(AuditEvent.seq)
    )
    return [tuple(r) for r in rows]  # type: ignore[misc]


class Seeder:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    async def rows(self, *rows: dict[str, Any]) -> None:
        summary = await import_rows(self.hub.sessionmaker, rows, self.hub.clock)
        assert summary.quarantined == 0, summary

    async def client(self, kind: PrincipalKind, name: str = "测试银行") -> Principal:
        async with session_scope(self.hub.sessionmaker) as s:
            creds = await client_service.create(
                s, actor=ADMIN, clock=self.hub.clock, kind=kind, name=name
            )
        return Principal(
            id=creds.client.id, kind=kind, name=name, scopes=allowed_scopes(kind)
        )

    async def consent(
        self,
        subject: str,
        grantee: Principal,
        purpose: Purpose,
        *categories: DataCategory,
    ) -> str:
        me = Principal(
            id=subject, kind=PrincipalKind.SUBJECT, name=subject, uscc=subject
        )
        req = GrantRequest(
            subject,
            grantee.id,
            purpose,
            tuple(categories),
            self.hub.clock.now() + timedelta(days=90),
        )
        async with session_scope(self.hub.sessionmaker) as s:
            return (await grant(s, self.hub, me, req)).id
