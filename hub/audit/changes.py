"""Audit events for *changes*: consents granted, clients created, records
corrected, rules published, commitments breached.

Reads of subject data are audited by the door (:mod:`hub.access.door`) and
nowhere else; everything that changes state writes its event here, in the
same unit of work as the change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub.audit.chain import append_event
from hub.auth.principal import Principal
from hub.models import AuditEvent

__all__ = ["record_change"]


async def record_change(
    session: AsyncSession,
    *,
    actor: Principal,
    action: str,
    outcome: str,
    at: datetime,
    subject: str | None = None,
    purpose: str | None = None,
    consent_id: str | None = None,
    categories: Iterable[str] = (),
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record one change in the caller's unit of work (written at COMMIT)."""
    return await append_event(
        session,
        actor=actor,
        action=action,
        outcome=outcome,
        at=at,
        subject=subject,
        purpose=purpose,
        consent_id=consent_id,
        categories=categories,
        detail=detail,
    )
