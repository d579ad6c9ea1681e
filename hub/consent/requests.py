"""Consent requests: the grantee asks, the enterprise answers.

Contract v2 (after the PBOC platform's 查询授权申请 and India's Account
Aggregator consent requests): a client whose access policy allows the purpose
asks with :func:`request_consent` — optionally bounded by a registered
scenario's categories, within the purpose's fair-use limits.  Only the
subject answers (:func:`approve` may narrow, never widen; :func:`reject`
gives a reason the requester sees); only the requester may :func:`withdraw`
while PENDING.  An unanswered request expires ``HUB_CONSENT_REQUEST_TTL_DAYS``
(7) days after it was made, to the second.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from hub import idempotency
from hub.audit.changes import record_change
from hub.auth.principal import Principal
from hub.consent import repository as repo
from hub.consent.events import request_event
from hub.consent.fair_use import check_terms
from hub.consent.request_rules import (
    answerable,
    check_scenario,
    check_text,
    narrowed,
    request_status,
)
from hub.consent.service import check_grantee, create_consent
from hub.enums import ConsentRequestStatus, DataCategory, EventType, PrincipalKind
from hub.errors import ErrorCode, HubError
from hub.models import Client, Consent, ConsentRequest, Entity, new_id

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = [
    "Approval",
    "NewRequest",
    "approve",
    "list_requests",
    "reject",
    "request_consent",
    "requests_by_ids",
    "withdraw",
]


@dataclass(frozen=True)
class NewRequest:
    subject: str
    purpose: str
    categories: tuple[DataCategory, ...]
    duration_days: int
    data_life_days: int
    reason: str
    scenario: str | None = None
    max_reads: int | None = None
    reference: str | None = None


@dataclass(frozen=True)
class Approval:
    """What the subject approves: the request's terms, or narrower ones."""

    id: str
    categories: tuple[DataCategory, ...] | None = None
    duration_days: int | None = None
    max_reads: int | None = None


async def _audit(
    session: AsyncSession,
    actor: Principal,
    action: str,
    r: ConsentRequest,
    now: datetime,
    **detail: object,
) -> None:
    await record_change(
        session,
        actor=actor,
        action=action,
        outcome=r.status,
        at=now,
        subject=r.subject,
        purpose=r.purpose,
        consent_id=r.consent_id,
        categories=r.categories,
        detail={"request": r.id, "requester": r.requester_id, **detail},
    )


async def request_consent(
    session: AsyncSession,
    hub: Hub,
    actor: Principal,
    new: NewRequest,
    idempotency_key: str | None = None,
) -> ConsentRequest:
    """A client asks ``new.subject`` for a consent to itself."""
    if actor.kind in (PrincipalKind.SUBJECT, PrincipalKind.ADMIN):
        raise HubError(
            "Consent requests come from the clients that would hold the consent; "
            "an enterprise grants directly with grantConsent.",
            ErrorCode.FORBIDDEN,
        )
    replay = await idempotency.begin(
        session,
        actor.id,
        idempotency_key,
        "consent.request",
        new.subject,
        new.purpose,
        new.scenario,
        sorted(map(str, new.categories)),
        new.duration_days,
        new.max_reads,
        new.data_life_days,
        new.reason,
        new.reference,
    )
    if replay.result_id is not None:
        found = await session.get(ConsentRequest, replay.result_id)
        if found is not None:
            return found
    purpose = check_scenario(hub, new.purpose, new.scenario, new.categories)
    check_grantee(
        hub, actor.id, await session.get(Client, actor.id), purpose, new.categories
    )
    check_terms(
        hub,
        purpose,
        duration_days=new.duration_days,
        max_reads=new.max_reads,
        data_life_days=new.data_life_days,
    )
    check_text("reason", new.reason, 500, required=True)
    check_text("reference", new.reference, 64)
    if await session.get(Entity, new.subject) is None:
        raise HubError(f"No entity {new.subject} is registered.", ErrorCode.NOT_FOUND)
    now = hub.clock.now()
    row = ConsentRequest(
        id=new_id(),
        subject=new.subject,
        requester_id=actor.id,
        purpose=str(purpose),
        scenario=new.scenario,
        categories=sorted({str(c) for c in new.categories}),
        duration_days=new.duration_days,
        max_reads=new.max_reads,
        data_life_days=new.data_life_days,
        reason=new.reason.strip(),
        reference=new.reference,
        status=ConsentRequestStatus.PENDING.value,
        created_at=now,
        expires_at=now + timedelta(days=hub.settings.consent_request_ttl_days),
    )
    session.add(row)
    await request_event(session, EventType.CONSENT_REQUESTED, row, now)
    await _audit(session, actor, "consent.request", row, now, reference=new.reference)
    replay.remember(session, row.id, now)
    await session.flush()
    return row


async def approve(
    session: AsyncSession,
    hub: Hub,
    actor: Principal,
    approval: Approval,
    idempotency_key: str | None = None,
) -> Consent:
    """The subject approves (possibly narrower): the consent and its receipt."""
    replay = await idempotency.begin(
        session,
        actor.id,
        idempotency_key,
        "consent.request.approve",
        approval.id,
        sorted(map(str, approval.categories or ())),
        approval.duration_days,
        approval.max_reads,
    )
    if replay.result_id is not None:
        done = await session.get(Consent, replay.result_id)
        if done is not None:
            return done
    r = await answerable(session, actor, approval.id)
    now = hub.clock.now()
    request_status(r, now, must_be_pending=True)
    categories, days, max_reads = narrowed(r, approval)
    purpose = check_scenario(hub, r.purpose, r.scenario, categories)
    grantee = check_grantee(
        hub,
        r.requester_id,
        await session.get(Client, r.requester_id),
        purpose,
        categories,
    )
    terms = check_terms(
        hub,
        purpose,
        duration_days=days,
        max_reads=max_reads,
        data_life_days=r.data_life_days,
    )
    r.status, r.decided_at, r.decided_by = (
        ConsentRequestStatus.APPROVED.value,
        now,
        actor.id,
    )
    consent = await create_consent(
        session,
        hub,
        actor,
        subject=r.subject,
        grantee=grantee,
        purpose=purpose,
        categories=categories,
        expires=now + timedelta(days=days),
        terms=terms,
        now=now,
        request=r,
    )
    r.consent_id = consent.id
    await request_event(session, EventType.CONSENT_REQUEST_DECIDED, r, now)
    await _audit(session, actor, "consent.request.approve", r, now)
    replay.remember(session, consent.id, now)
    return consent


async def _replayed(
    session: AsyncSession, actor: Principal, key: str | None, op: str, *inputs: object
) -> tuple[idempotency.IdempotentRequest, ConsentRequest | None]:
    replay = await idempotency.begin(session, actor.id, key, op, *inputs)
    if replay.result_id is None:
        return replay, None
    return replay, await session.get(ConsentRequest, replay.result_id)


async def reject(
    session: AsyncSession,
    hub: Hub,
    actor: Principal,
    request_id: str,
    reason: str,
    idempotency_key: str | None = None,
) -> ConsentRequest:
    """The subject says no, with a reason the requester sees."""
    replay, done = await _replayed(
        session, actor, idempotency_key, "consent.request.reject", request_id, reason
    )
    if done is not None:
        return done
    r = await answerable(session, actor, request_id)
    now = hub.clock.now()
    request_status(r, now, must_be_pending=True)
    check_text("reason", reason, 500, required=True)
    r.status, r.decided_at, r.decided_by = (
        ConsentRequestStatus.REJECTED.value,
        now,
        actor.id,
    )
    r.rejection_reason = reason.strip()
    await request_event(session, EventType.CONSENT_REQUEST_DECIDED, r, now)
    await _audit(session, actor, "consent.request.reject", r, now)
    replay.remember(session, r.id, now)
    return r


async def withdraw(
    session: AsyncSession,
    hub: Hub,
    actor: Principal,
    request_id: str,
    idempotency_key: str | None = None,
) -> ConsentRequest:
    """The requester takes back a PENDING request."""
    replay, done = await _replayed(
        session, actor, idempotency_key, "consent.request.withdraw", request_id
    )
    if done is not None:
        return done
    r = await session.get(ConsentRequest, request_id)
    if r is None or not (r.requester_id == actor.id or r.subject == actor.uscc):
        raise HubError(
            f"No consent request {request_id!r} of yours.", ErrorCode.NOT_FOUND
        )
    if r.requester_id != actor.id:
        raise HubError(
            "Only the client that made a request may withdraw it; reject it instead.",
            ErrorCode.FORBIDDEN,
        )
    now = hub.clock.now()
    request_status(r, now, must_be_pending=True)
    r.status, r.decided_at = ConsentRequestStatus.WITHDRAWN.value, now
    await request_event(session, EventType.CONSENT_REQUEST_DECIDED, r, now)
    await _audit(session, actor, "consent.request.withdraw", r, now)
    replay.remember(session, r.id, now)
    return r


async def list_requests(
    session: AsyncSession,
    hub: Hub,
    actor: Principal,
    *,
    status: ConsentRequestStatus | None,
    first: int,
    after: tuple[str, str] | None,
) -> tuple[list[ConsentRequest], int, bool]:
    """The subject sees requests to it; a requester its own; an admin all."""
    now = hub.clock.now()
    if actor.is_subject:
        flt = repo.RequestFilter(now=now, subject=actor.uscc, status=status)
    elif actor.is_admin:
        flt = repo.RequestFilter(now=now, status=status)
    else:
        flt = repo.RequestFilter(now=now, requester_id=actor.id, status=status)
    rows, total = await repo.request_page(session, flt, first, after)
    return rows[:first], total, len(rows) > first


async def requests_by_ids(
    session: AsyncSession, ids: list[str]
) -> list[ConsentRequest | None]:
    found = await repo.requests_by_ids(session, ids)
    return [found.get(i) for i in ids]
