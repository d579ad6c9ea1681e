"""Credit commitments (信用承诺) — 国办发〔2019〕35号 §1.

The subject commits (one of the six kinds) to something by a date.  Each
commitment is mirrored by one COMMITMENT record (source ``credit-commitment``,
source_id the commitment id) so profiles and the evaluation see it:

* PENDING — kind ``CREDIT_COMMITMENT``, severity NONE, ``details.status`` PENDING;
* FULFILLED (verified by an AGENCY or ADMIN) — the same, ``details.status``
  FULFILLED, which the evaluation counts positively (COMMITMENT_FULFILLED);
* BREACHED (not fulfilled by its date; maintenance) — a negative record:
  kind ``COMMITMENT_BREACH``, severity ORDINARY, published 1 year.

Who sees and verifies which commitments: the subject its own; an ADMIN all
(its work queue, basis ADMIN_QUEUE: ``commitment.review``); an AGENCY only
those of subjects that granted it an ACTIVE APPROVAL consent covering
COMMITMENT (``commitment.read`` / ``commitment.fulfil``) — each decided and
audited by the door like every other read of subject data (征信业管理条例
Art 14/18; 个人信息保护法 Art 13).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from hub.access.door import open_door
from hub.audit.changes import record_change
from hub.auth.principal import Principal
from hub.entities import bump_data_version
from hub.enums import (
    CommitmentKind,
    CommitmentStatus,
    DataCategory,
    PrincipalKind,
    Purpose,
    Severity,
)
from hub.errors import ErrorCode, HubError
from hub.models import Commitment, CreditRecord, Entity, new_id
from hub.rights import repository as repo
from hub.rights.deadlines import add_years, china_today
from hub.rights.queues import Page, queue_action, show_page
from hub.rights.states import COMMITMENT

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = [
    "BREACH_KIND",
    "FULFILLED_KIND",
    "SOURCE",
    "breach",
    "fulfil_commitment",
    "list_commitments",
    "make_commitment",
]

SOURCE = "credit-commitment"
FULFILLED_KIND = "CREDIT_COMMITMENT"
BREACH_KIND = "COMMITMENT_BREACH"
BREACH_PUBLICATION_YEARS = 1
MAX_DUE_YEARS = 5
LABELS = {
    CommitmentKind.APPROVAL_SUBSTITUTE: "审批替代",
    CommitmentKind.TOLERANT_ACCEPTANCE: "容缺办理",
    CommitmentKind.CERTIFICATION_NOTICE: "证明事项告知",
    CommitmentKind.CREDIT_REPAIR: "信用修复",
    CommitmentKind.INDUSTRY_SELF_DISCIPLINE: "行业自律",
    CommitmentKind.VOLUNTARY_DISCLOSURE: "主动公示",
}


def _details(c: Commitment, status: str) -> dict[str, object]:
    return {
        "status": status,
        "commitment_id": c.id,
        "commitment_kind": c.kind,
        "due_on": c.due_on.isoformat(),
    }


async def _mirror(
    session: AsyncSession, c: Commitment, at_now: datetime
) -> CreditRecord:
    row = await repo.record_by_source(session, SOURCE, c.id)
    if row is None:
        row = CreditRecord(
            uscc=c.uscc,
            source=SOURCE,
            source_id=c.id,
            category=DataCategory.COMMITMENT.value,
            kind=FULFILLED_KIND,
            severity=Severity.NONE.value,
            status="ACTIVE",
            title=f"信用承诺（{LABELS[CommitmentKind(c.kind)]}）",
            authority=None,
            occurred_on=c.made_on,
            decided_on=c.made_on,
            publish_from=c.made_on,
            publish_until=None,
            details=_details(c, c.status),
            created_at=at_now,
            updated_at=at_now,
        )
        session.add(row)
        await session.flush()
    return row


async def make_commitment(
    session: AsyncSession,
    hub: Hub,
    actor: Principal,
    *,
    kind: CommitmentKind,
    content: str,
    due_on: date,
) -> Commitment:
    """The subject records a commitment due on ``due_on`` (China date)."""
    text = (content or "").strip()
    if not text or len(text) > 4000:
        raise HubError("content must be 1–4000 characters.", ErrorCode.VALIDATION_ERROR)
    now = hub.clock.now()
    today = china_today(now)
    if not today <= due_on <= add_years(today, MAX_DUE_YEARS):
        raise HubError(
            f"dueOn must be between today ({today.isoformat()}) and "
            f"{MAX_DUE_YEARS} years ahead.",
            ErrorCode.VALIDATION_ERROR,
        )
    assert actor.uscc is not None  # IsSubject on the field
    if await session.get(Entity, actor.uscc) is None:
        raise HubError(f"No entity {actor.uscc} is registered.", ErrorCode.NOT_FOUND)
    c = Commitment(
        id=new_id(),
        uscc=actor.uscc,
        kind=str(kind),
        content=text,
        made_on=today,
        due_on=due_on,
        status=CommitmentStatus.PENDING.value,
        created_at=now,
    )
    session.add(c)
    await session.flush()
    record = await _mirror(session, c, now)
    await bump_data_version(session, [c.uscc])
    await record_change(
        session,
        actor=actor,
        action="commitment.make",
        outcome="PENDING",
        at=now,
        subject=c.uscc,
        categories=[DataCategory.COMMITMENT.value],
        detail={
            "commitment": c.id,
            "kind": str(kind),
            "due_on": due_on.isoformat(),
            "record": record.id,
        },
    )
    return c


async def fulfil_commitment(
    session: AsyncSession, hub: Hub, actor: Principal, *, commitment_id: str
) -> Commitment:
    """An ADMIN, or an AGENCY the subject consented to, verifies it was kept."""
    c = await session.get(Commitment, commitment_id)
    if c is None:
        raise HubError(f"No commitment {commitment_id!r}.", ErrorCode.NOT_FOUND)
    if actor.kind is PrincipalKind.AGENCY:
        # Before anything about the commitment is looked at or changed: a
        # refusal (CONSENT_REQUIRED) is audited by the door and raised.
        await open_door(
            session,
            hub,
            actor,
            uscc=c.uscc,
            purpose=Purpose.APPROVAL,
            action="commitment.fulfil",
            categories=[DataCategory.COMMITMENT],
            require_all=True,
            detail={"commitment": c.id},
        )
    COMMITMENT.move(c, CommitmentStatus.FULFILLED, label=f"commitment {c.id}")
    now = hub.clock.now()
    c.fulfilled_on = china_today(now)
    record = await _mirror(session, c, now)
    record.details = _details(c, CommitmentStatus.FULFILLED.value)
    record.updated_at = now
    await bump_data_version(session, [c.uscc])
    await record_change(
        session,
        actor=actor,
        action="commitment.fulfil",
        outcome="FULFILLED",
        at=now,
        subject=c.uscc,
        categories=[DataCategory.COMMITMENT.value],
        detail={"commitment": c.id, "record": record.id},
    )
    await session.flush()
    return c


async def breach(
    session: AsyncSession, c: Commitment, *, actor: Principal, now: datetime
) -> CreditRecord:
    """Turn an unfulfilled commitment into a negative record (maintenance)."""
    COMMITMENT.move(c, CommitmentStatus.BREACHED, label=f"commitment {c.id}")
    record = await _mirror(session, c, now)
    day = c.due_on + timedelta(days=1)  # the first day it was not kept
    record.kind, record.severity = BREACH_KIND, Severity.ORDINARY.value
    record.title = f"未履行信用承诺（{LABELS[CommitmentKind(c.kind)]}）"
    record.occurred_on = record.decided_on = record.publish_from = day
    record.publish_until = add_years(day, BREACH_PUBLICATION_YEARS)
    record.details = _details(c, CommitmentStatus.BREACHED.value)
    record.status, record.updated_at = "ACTIVE", now
    c.breach_record_id = record.id
    await bump_data_version(session, [c.uscc])
    await record_change(
        session,
        actor=actor,
        action="commitment.breach",
        outcome="BREACHED",
        at=now,
        subject=c.uscc,
        categories=[DataCategory.COMMITMENT.value],
        detail={"commitment": c.id, "record": record.id},
    )
    return record


async def list_commitments(
    session: AsyncSession,
    hub: Hub,
    actor: Principal,
    *,
    status: CommitmentStatus | None,
    first: int,
    after: tuple[date, str] | None,
) -> Page[Commitment]:
    """Subjects see their own; admins all; agencies what consents allow.

    Each subject shown is audited by the door: ``commitment.review`` (basis
    ADMIN_QUEUE) for the admin, ``commitment.read`` for the subject itself and
    for an agency (under its APPROVAL consent).
    """
    agency = actor.kind is PrincipalKind.AGENCY
    keys, total = await repo.commitment_keys(
        session,
        uscc=actor.uscc if actor.is_subject else None,
        status=str(status) if status else None,
        first=first,
        after=after,
        # Only subjects that consented to this agency at all are candidates,
        # so others never see "denied" lines in their access log for it.
        consented_to=(actor.id, Purpose.APPROVAL, hub.clock.now()) if agency else None,
    )
    return await show_page(
        session,
        hub,
        actor,
        keys,
        first=first,
        total=total,
        action=queue_action(actor, "commitment"),
        load=repo.commitments_by_id,
        purpose=Purpose.APPROVAL if agency else None,
    )
