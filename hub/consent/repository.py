"""All SQL of the consent domain: consents, their receipts, requests."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from hub.consent.active import live_consent, status_is
from hub.enums import ConsentRequestStatus, ConsentStatus
from hub.models import Consent, ConsentReceipt, ConsentRequest

__all__ = [
    "ConsentFilter",
    "RequestFilter",
    "consents_by_ids",
    "count",
    "expired_unended",
    "expiring_unnoticed",
    "live_for",
    "of_grantee",
    "overdue_requests",
    "page",
    "receipts_for",
    "request_page",
    "requests_by_ids",
]


class ConsentFilter:
    def __init__(
        self,
        *,
        subject: str | None = None,
        grantee_id: str | None = None,
        status: ConsentStatus | None = None,
        purpose: str | None = None,
        now: datetime,
    ) -> None:
        self.subject, self.grantee_id, self.status, self.now = (
            subject,
            grantee_id,
            status,
            now,
        )
        self.purpose = purpose

    def apply(self, stmt: Select) -> Select:
        if self.subject:
            stmt = stmt.where(Consent.subject == self.subject)
        if self.grantee_id:
            stmt = stmt.where(Consent.grantee_id == self.grantee_id)
        if self.status is not None:
            stmt = stmt.where(status_is(self.status, self.now))
        if self.purpose:
            stmt = stmt.where(Consent.purpose == self.purpose)
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


async def counts_by_purpose_and_grantee(
    session: AsyncSession, now: datetime
) -> dict[tuple[str, str, ConsentStatus], int]:
    """(purpose, grantee id, status) → number of consents, every status."""
    found: dict[tuple[str, str, ConsentStatus], int] = {}
    for status in ConsentStatus:
        stmt = (
            select(Consent.purpose, Consent.grantee_id, func.count(Consent.id))
            .where(status_is(status, now))
            .group_by(Consent.purpose, Consent.grantee_id)
        )
        for purpose, grantee, n in (await session.execute(stmt)).all():
            found[(str(purpose), str(grantee), status)] = int(n)
    return found


async def consents_by_ids(
    session: AsyncSession, ids: Sequence[str]
) -> dict[str, Consent]:
    rows = await session.scalars(select(Consent).where(Consent.id.in_(list(ids))))
    return {c.id: c for c in rows}


async def live_for(
    session: AsyncSession, subject: str, grantee_id: str, purpose: str
) -> list[Consent]:
    """Consents of the triple without an end recorded (expired ones included),
    locked against concurrent changes where the database can."""
    stmt = (
        select(Consent)
        .where(
            Consent.subject == subject,
            Consent.grantee_id == grantee_id,
            Consent.purpose == purpose,
            Consent.end_reason.is_(None),
            Consent.revoked_at.is_(None),
        )
        .order_by(Consent.granted_at)
        .with_for_update()
    )
    return list(await session.scalars(stmt))


async def of_grantee(session: AsyncSession, grantee_id: str) -> list[Consent]:
    """Every consent of the grantee that has not ended yet."""
    stmt = (
        select(Consent)
        .where(
            Consent.grantee_id == grantee_id,
            Consent.end_reason.is_(None),
            Consent.revoked_at.is_(None),
        )
        .order_by(Consent.granted_at, Consent.id)
        .with_for_update()
    )
    return list(await session.scalars(stmt))


async def receipts_for(
    session: AsyncSession, consent_ids: Sequence[str]
) -> dict[str, list[str]]:
    """Each consent's receipts (compact JWS), oldest first."""
    out: dict[str, list[str]] = defaultdict(list)
    rows = await session.execute(
        select(ConsentReceipt.consent_id, ConsentReceipt.jws)
        .where(ConsentReceipt.consent_id.in_(list(consent_ids)))
        .order_by(ConsentReceipt.n)
    )
    for cid, jws in rows:
        out[cid].append(jws)
    return out


# --- what time has caught up with (the sweep) -------------------------------


async def expired_unended(session: AsyncSession, now: datetime) -> list[Consent]:
    stmt = (
        select(Consent)
        .where(
            Consent.end_reason.is_(None),
            Consent.revoked_at.is_(None),
            Consent.expires_at <= now,
        )
        .order_by(Consent.expires_at, Consent.id)
    )
    return list(await session.scalars(stmt))


async def expiring_unnoticed(
    session: AsyncSession, now: datetime, until: datetime
) -> list[Consent]:
    stmt = (
        select(Consent)
        .where(
            live_consent(now),
            Consent.expires_at <= until,
            Consent.expiry_notice_at.is_(None),
        )
        .order_by(Consent.expires_at, Consent.id)
    )
    return list(await session.scalars(stmt))


async def overdue_requests(
    session: AsyncSession, now: datetime
) -> list[ConsentRequest]:
    stmt = (
        select(ConsentRequest)
        .where(
            ConsentRequest.status == ConsentRequestStatus.PENDING.value,
            ConsentRequest.expires_at <= now,
        )
        .order_by(ConsentRequest.expires_at, ConsentRequest.id)
    )
    return list(await session.scalars(stmt))


# --- consent requests --------------------------------------------------------


class RequestFilter:
    """Requests to ``subject``, by ``requester_id``, in ``status`` at ``now``."""

    def __init__(
        self,
        *,
        now: datetime,
        subject: str | None = None,
        requester_id: str | None = None,
        status: ConsentRequestStatus | None = None,
    ) -> None:
        self.now, self.subject, self.requester_id, self.status = (
            now,
            subject,
            requester_id,
            status,
        )

    def apply(self, stmt: Select) -> Select:
        r = ConsentRequest
        if self.subject is not None:
            stmt = stmt.where(r.subject == self.subject)
        if self.requester_id is not None:
            stmt = stmt.where(r.requester_id == self.requester_id)
        pending = r.status == ConsentRequestStatus.PENDING.value
        if self.status is ConsentRequestStatus.PENDING:
            stmt = stmt.where(pending, r.expires_at > self.now)
        elif self.status is ConsentRequestStatus.EXPIRED:
            stmt = stmt.where(
                or_(
                    r.status == ConsentRequestStatus.EXPIRED.value,
                    and_(pending, r.expires_at <= self.now),
                )
            )
        elif self.status is not None:
            stmt = stmt.where(r.status == self.status.value)
        return stmt


async def request_page(
    session: AsyncSession,
    flt: RequestFilter,
    first: int,
    after: tuple[str, str] | None,
) -> tuple[list[ConsentRequest], int]:
    """Newest first; ``first + 1`` rows tell whether more follow."""
    stmt = flt.apply(select(ConsentRequest))
    if after is not None:
        at, rid = datetime.fromisoformat(after[0]), after[1]
        stmt = stmt.where(
            or_(
                ConsentRequest.created_at < at,
                and_(ConsentRequest.created_at == at, ConsentRequest.id < rid),
            )
        )
    rows = await session.scalars(
        stmt.order_by(ConsentRequest.created_at.desc(), ConsentRequest.id.desc()).limit(
            first + 1
        )
    )
    total = await session.scalar(flt.apply(select(func.count(ConsentRequest.id))))
    return list(rows), int(total or 0)


async def requests_by_ids(
    session: AsyncSession, ids: Sequence[str]
) -> dict[str, ConsentRequest]:
    rows = await session.scalars(
        select(ConsentRequest).where(ConsentRequest.id.in_(list(ids)))
    )
    return {r.id: r for r in rows}
