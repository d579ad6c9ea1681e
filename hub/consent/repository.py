"""All SQL of the consent domain."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from hub.consent.active import active_consent
from hub.enums import ConsentStatus
from hub.models import Consent

__all__ = [
    "ConsentFilter",
    "count",
    "page",
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

    def apply(self, stmt: Select) -> Select:
        if self.subject:
            stmt = stmt.where(Consent.subject == self.subject)
        if self.grantee_id:
            stmt = stmt.where(Consent.grantee_id == self.grantee_id)
        if self.status is ConsentStatus.REVOKED:
            stmt = stmt.where(Consent.revoked_at.is_not(None))
        elif self.status is ConsentStatus.ACTIVE:
            stmt = stmt.where(active_consent(self.now))
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
