"""Credit repair (信用修复) — 信用修复管理办法 (NDRC, in force 2026-04-01).

After a record's minimum publication period (MINOR at once, ORDINARY 3
months, SERIOUS 1 year from the decision) the subject may apply, by one of
the methods the policy lists (:data:`METHODS`); an admin decides.  An
approved repair makes the record REPAIRED: no client sees it again, the
evaluation is recomputed, every list membership resting on it ends at once
(平信用〔2021〕1号 §12 "及时将其移出"; joint punishment with it), and
monitoring banks and past readers are told (``RECORD_REPAIRED``,
:mod:`hub.events`).

A court's dishonest-debtor listing (``DISHONEST_JUDGMENT_DEBTOR``) is not
repaired here: the people's court keeps that list, and it ends when the
obligation is performed (最高人民法院关于公布失信被执行人名单信息的若干规定
2017, Art 10) — the hub ends it when its source reports the performance.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from hub.access.door import Grant
from hub.audit.changes import record_change
from hub.auth.principal import Principal
from hub.enums import EventType, RecordStatus, RepairStatus, Severity
from hub.errors import ErrorCode, HubError
from hub.events.outbox import emit
from hub.models import RepairApplication, new_id
from hub.rights import repository as repo
from hub.rights.court_terms import DISHONEST_KIND
from hub.rights.deadlines import china_today, repair_possible_from
from hub.rights.memberships import ListEndReason, end_memberships_on_record
from hub.rights.queues import Case, Page, queue_action, show_one, show_queue
from hub.rights.records import own_record, set_record_status
from hub.rights.states import RECORD, REPAIR

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = [
    "METHODS",
    "apply_repair",
    "decide_repair",
    "list_repairs",
    "method_code",
    "show_repair",
]

# 国办发〔2019〕35号 §十三 (探索建立信用修复机制): 作出信用承诺、完成信用整改、
# 通过信用核查、接受专题培训、提交信用报告、参加公益慈善活动; the same in
# 信用修复管理办法.  ``method`` is free text in the contract: the code or the
# Chinese name, in any letter case, is stored as the code.
METHODS: dict[str, tuple[str, ...]] = {
    "commitment": ("信用承诺", "作出信用承诺"),
    "rectification": ("信用整改", "完成信用整改"),
    "verification": ("信用核查", "通过信用核查"),
    "training": ("专题培训", "信用培训", "接受专题培训", "参加信用培训"),
    "report": ("信用报告", "提交信用报告"),
    "charity": ("公益慈善", "参加公益慈善活动"),
}
_METHOD_OF = {
    name.casefold(): code for code, names in METHODS.items() for name in (code, *names)
}
MAX_TEXT = 4000


def method_code(method: str) -> str:
    """The code of a repair method named by code or Chinese name, any case."""
    code = _METHOD_OF.get(" ".join((method or "").split()).casefold())
    if code is None:
        listed = ", ".join(f"{c} ({names[0]})" for c, names in METHODS.items())
        raise HubError(
            f"method must be one of {listed}; got {method!r}.",
            ErrorCode.VALIDATION_ERROR,
        )
    return code


def _text(value: str | None, name: str) -> str:
    text = (value or "").strip()
    if not text or len(text) > MAX_TEXT:
        raise HubError(
            f"{name} must be 1–{MAX_TEXT} characters.", ErrorCode.VALIDATION_ERROR
        )
    return text


async def apply_repair(
    session: AsyncSession,
    hub: Hub,
    actor: Principal,
    *,
    record_id: str,
    method: str,
    evidence: str,
) -> RepairApplication:
    """The subject applies to repair one of its negative records."""
    method = method_code(method)
    proof = _text(evidence, "evidence")
    record = await own_record(session, actor, record_id)
    if record.severity == Severity.NONE:
        raise HubError(
            "Only negative records (severity MINOR, ORDINARY or SERIOUS) "
            "can be repaired.",
            ErrorCode.VALIDATION_ERROR,
        )
    if record.kind == DISHONEST_KIND:
        raise HubError(
            "A court dishonest-debtor listing is not repaired through credit "
            "repair: perform the obligation (履行) — the court then removes the "
            "listing (最高人民法院关于公布失信被执行人名单信息的若干规定 第十条) "
            "and the hub ends it when the court's list reports the performance.",
            ErrorCode.CONFLICT,
            route="PERFORMANCE",
        )
    RECORD.check(record.status, RecordStatus.REPAIRED, label=f"record {record.id}")
    if await repo.pending_repair(session, record.id):
        raise HubError(
            f"Record {record.id} already has a PENDING repair application; "
            "wait for its decision.",
            ErrorCode.CONFLICT,
        )
    decided = record.decided_on or record.occurred_on
    if decided is None:  # pragma: no cover - imported records carry a date
        raise HubError(
            "The record has no decision date; ask the platform to fix it.",
            ErrorCode.CONFLICT,
        )
    now = hub.clock.now()
    today = china_today(now)
    possible = repair_possible_from(record.severity, decided)
    if today < possible:
        raise HubError(
            f"A {record.severity} record decided on {decided.isoformat()} must stay "
            f"published for its minimum period (信用修复管理办法); you may apply from "
            f"{possible.isoformat()}.",
            ErrorCode.CONFLICT,
            possibleFrom=possible.isoformat(),
        )
    row = RepairApplication(
        id=new_id(),
        record_id=record.id,
        uscc=record.uscc,
        status=RepairStatus.PENDING.value,
        method=method,
        evidence=proof,
        applied_at=now,
        applied_by=actor.id,
    )
    session.add(row)
    await record_change(
        session,
        actor=actor,
        action="repair.apply",
        outcome="PENDING",
        at=now,
        subject=record.uscc,
        categories=[record.category],
        detail={"repair": row.id, "record": record.id, "method": method},
    )
    await session.flush()
    return row


async def decide_repair(
    session: AsyncSession,
    hub: Hub,
    actor: Principal,
    *,
    repair_id: str,
    approve: bool,
    note: str,
) -> RepairApplication:
    """Admin approves (record REPAIRED) or rejects, with a note."""
    row = await session.get(RepairApplication, repair_id)
    if row is None:
        raise HubError(f"No repair application {repair_id!r}.", ErrorCode.NOT_FOUND)
    text = _text(note, "note")
    to = RepairStatus.APPROVED if approve else RepairStatus.REJECTED
    REPAIR.check(row.status, to, label=f"repair application {row.id}")
    now = hub.clock.now()
    record = await repo.record_to_change(session, row.record_id)
    assert record is not None  # applications go with their record (cascade)
    detail = {"repair": row.id, "decision": str(to)}
    if approve:
        await set_record_status(
            session,
            record,
            RecordStatus.REPAIRED,
            actor=actor,
            at=now,
            action="repair.decide",
            detail=detail,
        )
        # 平信用〔2021〕1号 §12: a repaired entity is taken off the list at once.
        await end_memberships_on_record(
            session, record, ListEndReason.REPAIRED, actor=actor, at=now
        )
        # Monitoring banks and everyone who received the record in the last
        # 12 months are told, through the outbox (contract v2).
        await emit(
            session,
            EventType.RECORD_REPAIRED,
            subject=record.uscc,
            at=now,
            record_id=record.id,
            category=record.category,
        )
    else:
        await record_change(
            session,
            actor=actor,
            action="repair.decide",
            outcome=str(to),
            at=now,
            subject=record.uscc,
            categories=[record.category],
            detail={"record": record.id, **detail},
        )
    REPAIR.move(row, to, label=f"repair application {row.id}")
    row.decided_at, row.decided_by, row.note = now, actor.id, text
    await session.flush()
    return row


async def _cases(
    session: AsyncSession, grants: Sequence[Grant], ids: Sequence[str]
) -> dict[str, Case[RepairApplication]]:
    found = await repo.cases_by_id(session, RepairApplication, grants, ids)
    return {id_: Case(r, record) for id_, (r, record) in found.items()}


async def list_repairs(
    session: AsyncSession,
    hub: Hub,
    actor: Principal,
    *,
    status: RepairStatus | None,
    first: int,
    after: tuple[datetime, str] | None,
) -> Page[Case[RepairApplication]]:
    """Subjects see their own; admins all, each subject shown audited by the
    door (``repair.review``, basis ADMIN_QUEUE; ``repair.read`` for itself)."""
    return await show_queue(
        session,
        hub,
        actor,
        "repair",
        functools.partial(repo.case_keys, model=RepairApplication),
        status=str(status) if status else None,
        first=first,
        after=after,
        load=_cases,
    )


async def show_repair(
    session: AsyncSession,
    hub: Hub,
    actor: Principal,
    application: RepairApplication,
) -> Case[RepairApplication]:
    """``application`` with its record, to answer a mutation: a read through the
    door like the queue's (``repair.read``, or ``repair.review`` for an admin)."""
    keys, _ = await repo.case_keys(session, RepairApplication, ids=[application.id])
    action = queue_action(actor, "repair")
    return await show_one(session, hub, actor, keys[0], action=action, load=_cases)
