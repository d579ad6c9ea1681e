"""Changing a credit record's status: one declared transition, audited, versioned."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub.audit.changes import record_change
from hub.auth.principal import Principal
from hub.entities import bump_data_version
from hub.errors import ErrorCode, HubError
from hub.models import CreditRecord
from hub.rights import repository as repo
from hub.rights.states import RECORD

__all__ = ["own_record", "set_record_status"]


async def own_record(
    session: AsyncSession, actor: Principal, record_id: str | int
) -> CreditRecord:
    """The record, if the actor is its subject or an admin; else NOT_FOUND.

    The same answer for "not yours" and "no such record": ids are no oracle.
    """
    try:
        rid = int(record_id)
    except (TypeError, ValueError):
        raise HubError(f"No record {record_id!r}.", ErrorCode.NOT_FOUND) from None
    row = await repo.record_to_change(session, rid)
    if row is None or not (
        actor.is_admin or (actor.is_subject and actor.uscc == row.uscc)
    ):
        raise HubError(f"No record {record_id!r} of yours.", ErrorCode.NOT_FOUND)
    return row


async def set_record_status(
    session: AsyncSession,
    record: CreditRecord,
    to: str,
    *,
    actor: Principal,
    at: datetime,
    action: str,
    detail: dict[str, Any] | None = None,
) -> str:
    """Move ``record`` to ``to`` (CONFLICT if undeclared); audit; bump version.

    The audit event names the record and the transition, never its content.
    """
    before = RECORD.move(record, to, label=f"record {record.id}")
    record.updated_at = at
    await bump_data_version(session, [record.uscc])
    await record_change(
        session,
        actor=actor,
        action=action,
        outcome=str(to),
        at=at,
        subject=record.uscc,
        categories=[record.category],
        detail={"record": record.id, "from": before, "to": str(to), **(detail or {})},
    )
    return before
