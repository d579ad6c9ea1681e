"""Objections (异议) to credit records — 征信业管理条例 Art 25.

Filing marks the record DISPUTED at once (every profile and decision shows
it); the hub must reply within 20 days (民法典 Art 201/203, see
:func:`~hub.rights.deadlines.objection_due`); an admin resolves the objection
as CORRECTED (with corrected values), REVOKED (record withdrawn) or UPHELD
(record back to its prior status, with a note the subject sees).

Once an objection on a record has been answered, a new one is heard only
with a reason that differs from every earlier one (else ``CONFLICT``), and
it does not suspend the record: the record keeps the status the answer left
(contract v2, "Repeated objections").  Otherwise filing the same objection
again and again would keep a record DISPUTED — and out of every count —
for ever.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub import idempotency
from hub.access.door import Grant
from hub.audit.changes import record_change
from hub.auth.principal import Principal
from hub.entities import bump_data_version
from hub.enums import (
    EventType,
    ObjectionResolution,
    ObjectionStatus,
    RecordStatus,
    Severity,
)
from hub.errors import ErrorCode, HubError
from hub.events.outbox import emit
from hub.models import CreditRecord, ListObjection, Objection, new_id
from hub.rights import repository as repo
from hub.rights.deadlines import objection_due
from hub.rights.memberships import ListEndReason, end_memberships_on_record
from hub.rights.queues import Case, Page, queue_action, show_one, show_queue
from hub.rights.records import own_record, set_record_status
from hub.rights.states import OBJECTION, RECORD

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = [
    "CORRECTABLE",
    "check_new_reason",
    "file_objection",
    "is_overdue",
    "list_objections",
    "resolve_objection",
    "same_reason",
    "show_objection",
    "validate_corrections",
]

OPERATION = "objection.file"
MAX_TEXT = 2000
_DATES = ("occurred_on", "decided_on", "ended_on", "publish_from", "publish_until")
# What a resolution announces; UPHELD changes nothing others received.
_TOLD = {
    ObjectionResolution.CORRECTED: EventType.RECORD_CORRECTED,
    ObjectionResolution.REVOKED: EventType.RECORD_REVOKED,
}
# Only what the deciding authority wrote may be corrected; never who the
# record is about, where it came from, or its category.
CORRECTABLE = ("title", "severity", "authority", *_DATES, "details")


def is_overdue(row: Objection | ListObjection, now: datetime) -> bool:
    """Flagged by maintenance, or still open at or past its reply deadline
    (``due_by`` is 24:00 of the last day: from then on it is late)."""
    return bool(row.overdue) or (
        row.status == ObjectionStatus.OPEN and row.due_by <= now
    )


def _plain(text: str) -> str:
    # Full-width and half-width forms alike (NFKC), no spacing, no case.
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def same_reason(a: str, b: str) -> bool:
    """Reasons that differ only in spacing, width or letter case are the same."""
    return _plain(a) == _plain(b)


def check_new_reason(text: str, earlier: Sequence[str], label: str) -> None:
    """CONFLICT unless ``text`` differs from every earlier reason on ``label``."""
    if any(same_reason(text, r) for r in earlier):
        raise HubError(
            f"{label} has already been answered on this reason; a new objection "
            "needs a new reason (new facts or evidence).",
            ErrorCode.CONFLICT,
        )


def _text(value: str | None, name: str, limit: int = MAX_TEXT) -> str:
    text = (value or "").strip()
    if not text or len(text) > limit:
        raise HubError(
            f"{name} must be 1–{limit} characters.", ErrorCode.VALIDATION_ERROR
        )
    return text


def validate_corrections(raw: Any) -> dict[str, Any]:
    """Corrections as stored: only :data:`CORRECTABLE` fields, typed."""
    if not isinstance(raw, dict) or not raw:
        raise HubError(
            "CORRECTED needs 'corrections': an object with the corrected values of "
            f"{', '.join(CORRECTABLE)}.",
            ErrorCode.VALIDATION_ERROR,
        )
    unknown = sorted(set(raw) - set(CORRECTABLE))
    if unknown:
        raise HubError(
            f"Cannot correct {', '.join(unknown)}; only {', '.join(CORRECTABLE)} "
            "may change.",
            ErrorCode.VALIDATION_ERROR,
            fields=unknown,
        )
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "title":
            out[key] = _text(value, "title", 500)
        elif key == "authority":
            out[key] = None if value is None else _text(value, "authority", 200)
        elif key == "severity":
            if value not in {s.value for s in Severity}:
                raise HubError(
                    f"severity must be one of {', '.join(Severity)}.",
                    ErrorCode.VALIDATION_ERROR,
                )
            out[key] = value
        elif key == "details":
            if value is not None and not isinstance(value, dict):
                raise HubError("details must be an object.", ErrorCode.VALIDATION_ERROR)
            out[key] = value
        else:
            try:
                out[key] = None if value is None else date.fromisoformat(value)
            except (TypeError, ValueError):
                raise HubError(
                    f"{key} must be an ISO date (YYYY-MM-DD) or null.",
                    ErrorCode.VALIDATION_ERROR,
                ) from None
    return out


def _apply(record: CreditRecord, corrections: dict[str, Any]) -> None:
    for key, value in corrections.items():
        setattr(record, key, value)
    removes_end = (
        "publish_until" in corrections and corrections["publish_until"] is None
    )
    if removes_end and record.severity != Severity.NONE.value:
        # 信用修复管理办法: negative information is published for a bounded
        # window; a correction may shorten it, never make it endless.
        raise HubError(
            "A negative record needs a publish_until; a correction cannot remove it.",
            ErrorCode.VALIDATION_ERROR,
        )
    if (
        record.publish_from
        and record.publish_until
        and record.publish_until < record.publish_from
    ):
        raise HubError(
            "publish_until may not be before publish_from.", ErrorCode.VALIDATION_ERROR
        )


async def file_objection(
    session: AsyncSession,
    hub: Hub,
    actor: Principal,
    *,
    record_id: str,
    reason: str,
    idempotency_key: str | None = None,
) -> Objection:
    """The subject (or an admin on its behalf) objects to one of its records."""
    request = await idempotency.begin(
        session, actor.id, idempotency_key, OPERATION, record_id, reason
    )
    if request.result_id is not None:
        found = await session.get(Objection, request.result_id)
        if found is not None:
            return found
    text = _text(reason, "reason")
    record = await own_record(session, actor, record_id)
    earlier = await repo.objections_on(session, record.id)
    if any(o.status == ObjectionStatus.OPEN for o in earlier):
        raise HubError(
            f"Record {record.id} already has an OPEN objection; wait for its answer.",
            ErrorCode.CONFLICT,
        )
    check_new_reason(text, [o.reason for o in earlier], f"Record {record.id}")
    # Only the first objection suspends the record; a repeated one is heard
    # without touching its status (contract v2, "Repeated objections").
    suspends = not earlier
    RECORD.check(record.status, RecordStatus.DISPUTED, label=f"record {record.id}")
    now = hub.clock.now()
    objection = Objection(
        id=new_id(),
        record_id=record.id,
        uscc=record.uscc,
        status=ObjectionStatus.OPEN.value,
        reason=text,
        filed_at=now,
        due_by=objection_due(now),
        filed_by=actor.id,
        prior_status=record.status,
        overdue=False,
        suspends=suspends,
    )
    detail = {
        "objection": objection.id,
        "due_by": objection.due_by.isoformat(),
        **({"on_behalf": True} if actor.is_admin else {}),
    }
    if suspends:
        await set_record_status(
            session,
            record,
            RecordStatus.DISPUTED,
            actor=actor,
            at=now,
            action=OPERATION,
            detail=detail,
        )
    else:
        await record_change(
            session,
            actor=actor,
            action=OPERATION,
            outcome=ObjectionStatus.OPEN.value,
            at=now,
            subject=record.uscc,
            categories=[record.category],
            detail={"record": record.id, **detail, "suspends": False},
        )
    session.add(objection)
    request.remember(session, objection.id, now)
    await session.flush()
    return objection


async def resolve_objection(
    session: AsyncSession,
    hub: Hub,
    actor: Principal,
    *,
    objection_id: str,
    resolution: ObjectionResolution,
    note: str,
    corrections: dict[str, Any] | None = None,
) -> Objection:
    """Admin's reply: CORRECTED, REVOKED or UPHELD, with a note for the subject."""
    row = await session.get(Objection, objection_id)
    if row is None:
        raise HubError(f"No objection {objection_id!r}.", ErrorCode.NOT_FOUND)
    text = _text(note, "note")
    OBJECTION.check(row.status, resolution, label=f"objection {row.id}")
    fixed: dict[str, Any] | None = None
    if resolution is ObjectionResolution.CORRECTED:
        fixed = validate_corrections(corrections)
    elif corrections:
        raise HubError(
            "corrections go only with resolution CORRECTED.", ErrorCode.VALIDATION_ERROR
        )
    record = await repo.record_to_change(session, row.record_id)
    assert record is not None  # objections go with their record (cascade)
    now = hub.clock.now()
    revoked = resolution is ObjectionResolution.REVOKED
    if revoked:
        to = RecordStatus.REVOKED
    elif row.suspends:
        to = RecordStatus(row.prior_status)
    else:  # a repeated objection never suspended the record: it stays as is
        to = RecordStatus(record.status)
    if fixed:
        _apply(record, fixed)
    detail = {
        "objection": row.id,
        "resolution": str(resolution),
        **({"corrected": sorted(fixed)} if fixed else {}),
        "overdue": is_overdue(row, now),
    }
    if to != record.status:
        await set_record_status(
            session,
            record,
            to,
            actor=actor,
            at=now,
            action="objection.resolve",
            detail=detail,
        )
    else:
        await bump_data_version(session, [record.uscc])
        await record_change(
            session,
            actor=actor,
            action="objection.resolve",
            outcome=str(to),
            at=now,
            subject=record.uscc,
            categories=[record.category],
            detail={"record": record.id, "from": str(to), "to": str(to), **detail},
        )
    if revoked:
        # A list resting on a withdrawn record has nothing left to rest on.
        await end_memberships_on_record(
            session, record, ListEndReason.RECORD_REVOKED, actor=actor, at=now
        )
    late = is_overdue(row, now)
    OBJECTION.move(row, resolution, label=f"objection {row.id}")
    row.overdue = late  # answered after the deadline: it stays on the record
    row.resolved_at, row.resolved_by, row.note = now, actor.id, text
    if fixed:
        row.corrections = {
            k: v.isoformat() if isinstance(v, date) else v for k, v in fixed.items()
        }
    told = _TOLD.get(resolution)
    if told is not None:
        # Those who received the record hear of the correction or withdrawal
        # (征信业管理条例 Art 25; FCRA §611(d)), through the outbox.
        await emit(
            session,
            told,
            subject=record.uscc,
            at=now,
            record_id=record.id,
            category=record.category,
        )
    await session.flush()
    return row


async def _cases(
    session: AsyncSession, grants: Sequence[Grant], ids: Sequence[str]
) -> dict[str, Case[Objection]]:
    found = await repo.cases_by_id(session, Objection, grants, ids)
    return {id_: Case(o, record) for id_, (o, record) in found.items()}


async def list_objections(
    session: AsyncSession,
    hub: Hub,
    actor: Principal,
    *,
    status: ObjectionStatus | None,
    first: int,
    after: tuple[datetime, str] | None,
) -> Page[Case[Objection]]:
    """Subjects see their own; admins all (permission declared on the field).

    Each subject shown is audited by the door: ``objection.review`` (basis
    ADMIN_QUEUE) for the admin, ``objection.read`` for the subject itself.
    """
    return await show_queue(
        session,
        hub,
        actor,
        "objection",
        functools.partial(repo.case_keys, model=Objection),
        status=str(status) if status else None,
        first=first,
        after=after,
        load=_cases,
    )


async def show_objection(
    session: AsyncSession, hub: Hub, actor: Principal, objection: Objection
) -> Case[Objection]:
    """``objection`` with its record, to answer a mutation: a read through the
    door like the queue's (``objection.read``, or ``objection.review`` for an
    admin)."""
    keys, _ = await repo.case_keys(session, Objection, ids=[objection.id])
    action = queue_action(actor, "objection")
    return await show_one(session, hub, actor, keys[0], action=action, load=_cases)
