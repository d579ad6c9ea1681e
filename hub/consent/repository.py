"""All SQL of the consent domain."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from hub.enums import ConsentStatus
from hub.errors import ErrorCode, HubError
from hub.models import Consent, IdempotencyKey

__all__ = [
    "ConsentFilter",
    "count",
    "fingerprint",
    "page",
    "remember",
    "remembered",
]


class ConsentFilter:
    def __init__(
        self,
        *,
        subject: str | None = None,
        grantee_id: str | None = None,
        status: ConsentStatus | None = None,
        now: datetime,
    ) -> None:
        self.subject, self.grantee_id, self.status, self.now = (
            subject,
            grantee_id,
            status,
            now,
        )

    def apply(self, stmt: Select) -> Select:  # type: ignore[type-arg]
        if self.subject:
            stmt = stmt.where(Consent.subject == self.subject)
        if self.grantee_id:
            stmt = stmt.where(Consent.grantee_id == self.grantee_id)
        if self.status is ConsentStatus.REVOKED:
            stmt = stmt.where(Consent.revoked_at.is_not(None))
        elif self.status is ConsentStatus.ACTIVE:
            stmt = stmt.where(
                Consent.revoked_at.is_(None), Consent.expires_at > self.now
            )
        elif self.status is ConsentStatus.EXPIRED:
            stmt = stmt.where(
                Consent.revoked_at.is_(None), Consent.expires_at <= self.now
            )
        return stmt


async def page(
    session: AsyncSession, flt: ConsentFilter, first: int, after: tuple[str, str] | None
) -> list[Consent]:
    stmt = flt.apply(select(Consent))
    if after is not None:
        at, cid = datetime.fromisoformat(after[0]), after[1]
        stmt = stmt.where(
            or_(
                Consent.granted_at < at,
                and_(Consent.granted_at == at, Consent.id < cid),
            )
        )
    stmt = stmt.order_by(Consent.granted_at.desc(), Consent.id.desc()).limit(first + 1)
    return list((await session.scalars(stmt)).all())


async def count(session: AsyncSession, flt: ConsentFilter) -> int:
    return int(await session.scalar(flt.apply(select(func.count(Consent.id)))) or 0)


async def remembered(
    session: AsyncSession,
    principal_id: str,
    key: str,
    operation: str,
    fingerprint: str | None = None,
) -> str | None:
    """The result id of an earlier request with this key, if any.

    Returns ``"!<operation>"`` when the key was used for another operation;
    raises CONFLICT when it was used for the same operation with other input.
    """
    row = await session.get(IdempotencyKey, (principal_id, key))
    if row is None:
        return None
    stored_op, _, stored_fp = row.operation.partition("#")
    if stored_op != operation:
        return f"!{stored_op}"
    if fingerprint and stored_fp and stored_fp != fingerprint:
        raise HubError(
            "This idempotency key was used for a different request; use a new key.",
            ErrorCode.CONFLICT,
        )
    return row.result_id


def fingerprint(*parts: object) -> str:
    """A short digest of a request's input, stored beside its idempotency key."""
    raw = json.dumps([str(p) for p in parts], ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def remember(
    session: AsyncSession,
    principal_id: str,
    key: str,
    operation: str,
    result_id: str,
    at: datetime,
    fingerprint: str | None = None,
) -> None:
    session.add(
        IdempotencyKey(
            principal_id=principal_id,
            key=key,
            operation=f"{operation}#{fingerprint}" if fingerprint else operation,
            result_id=result_id,
            created_at=at,
        )
    )
