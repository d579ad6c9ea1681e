"""Scheduled maintenance: the passage of time applied to subject data.

One run (idempotent, safe from cron; a second run the same day changes
nothing) does, in this order:

1. **commitments** not fulfilled by their due date become BREACHED and a
   negative COMMITMENT record (``NEW_NEGATIVE_RECORD``);
2. **deletion** of negative records 5 years after the act ended
   (征信业管理条例 Art 16) — the audit trail keeps its events, which hold no
   record content (PIPL Art 56: at least 3 years); copies sent in events
   lose the record's content too (``hub.events.retention``);
3. **expiry** of ACTIVE records past ``publish_until`` (信用修复管理办法 2026)
   and of court dishonest-debtor entries past their listing term (SPC 2017:
   ``details.until``, default 2 years);
4. **listing terms** of 失信被执行人名单 memberships without an ``until``:
   it is set to ``since`` + 2 years once that has passed;
5. **overdue** flags on OPEN objections past their 20-day reply deadline.

Every change is audited per subject with actor ``system``; a run that changed
anything also writes one ``maintenance.run`` summary event.  What others must
hear of — breaches, expiries (``RECORD_EXPIRED``), ended listings
(``DELISTED``) — is written to the outbox in the same transaction.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub.audit.changes import record_change
from hub.auth.principal import SYSTEM, Principal
from hub.db import session_scope
from hub.entities import bump_data_version
from hub.enums import DataCategory, EventType, RecordStatus
from hub.events.changes import list_snapshot
from hub.events.outbox import emit
from hub.events.retention import forget_records
from hub.models import CreditRecord
from hub.rights import repository as repo
from hub.rights.commitments import breach
from hub.rights.deadlines import (
    RETENTION_YEARS,
    add_years,
    china_today,
    listing_term_end,
    retention_end,
)
from hub.rights.records import set_record_status

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = ["MaintenanceReport", "maintain", "run_maintenance"]


@dataclass
class MaintenanceReport:
    today: date
    commitments_breached: int = 0
    records_deleted: int = 0
    records_expired: int = 0
    lists_expired: int = 0
    objections_overdue: int = 0

    @property
    def counts(self) -> dict[str, int]:
        return {k: v for k, v in asdict(self).items() if k != "today"}

    @property
    def changed(self) -> int:
        return sum(self.counts.values())

    def as_json(self) -> dict[str, Any]:
        return {"today": self.today.isoformat(), **self.counts}


def _dishonest_term_end(r: CreditRecord) -> date | None:
    since = r.decided_on or r.occurred_on
    if since is None:
        return None
    raw = (r.details or {}).get("until")
    try:
        until = date.fromisoformat(raw) if raw else None
    except (TypeError, ValueError):
        until = None
    return listing_term_end(since, until)


async def _breach_commitments(
    session: AsyncSession,
    hub: Hub,
    rep: MaintenanceReport,
    actor: Principal,
    now: datetime,
) -> None:
    for c in await repo.unfulfilled_commitments(session, rep.today):
        record = await breach(session, c, actor=actor, now=now)
        await emit(
            session,
            EventType.NEW_NEGATIVE_RECORD,
            subject=c.uscc,
            at=now,
            record_id=record.id,
            category=record.category,
        )
        rep.commitments_breached += 1
    await session.flush()


async def _delete_old(
    session: AsyncSession, rep: MaintenanceReport, actor: Principal, now: datetime
) -> None:
    before = add_years(rep.today, -RETENTION_YEARS) + timedelta(days=1)
    doomed: list[int] = []
    owners: list[str] = []
    for (
        rid,
        uscc,
        category,
        kind,
        ended,
        occurred,
        decided,
    ) in await repo.retained_negative_records(session, before):
        end = ended or occurred or decided
        assert end is not None  # the SQL filter compared it
        if retention_end(end) >= rep.today:
            continue
        doomed.append(rid)
        owners.append(uscc)
        await record_change(
            session,
            actor=actor,
            action="record.delete",
            outcome="DELETED",
            at=now,
            subject=uscc,
            categories=[category],
            detail={
                "record": rid,
                "kind": kind,
                "act_ended": end.isoformat(),
                "retention_end": retention_end(end).isoformat(),
            },
        )
    if doomed:
        await repo.delete_records(session, doomed)
        await forget_records(session, doomed)  # the copies events carried
        await bump_data_version(session, owners)
    rep.records_deleted += len(doomed)


async def _expire(
    session: AsyncSession, rep: MaintenanceReport, actor: Principal, now: datetime
) -> None:
    for r in await repo.expirable_records(session, rep.today):
        if r.publish_until is None:
            end = _dishonest_term_end(r)
            if end is None or end >= rep.today:
                continue
            detail = {"listing_term_end": end.isoformat()}
        else:
            detail = {"publish_until": r.publish_until.isoformat()}
        await set_record_status(
            session,
            r,
            RecordStatus.EXPIRED,
            actor=actor,
            at=now,
            action="record.expire",
            detail=detail,
        )
        await emit(
            session,
            EventType.RECORD_EXPIRED,
            subject=r.uscc,
            at=now,
            record_id=r.id,
            category=r.category,
        )
        rep.records_expired += 1


async def _end_listings(
    session: AsyncSession, rep: MaintenanceReport, actor: Principal, now: datetime
) -> None:
    for m in await repo.dishonest_listings_without_term(session):
        end = listing_term_end(m.since, None)
        if end >= rep.today:
            continue
        m.until, m.updated_at = end, now
        await bump_data_version(session, [m.uscc])
        await emit(
            session,
            EventType.DELISTED,
            subject=m.uscc,
            at=now,
            list=list_snapshot(
                {
                    "id": m.id,
                    "kind": m.kind,
                    "list_name": m.list_name,
                    "basis": m.basis,
                    "since": m.since,
                    "until": end,
                }
            ),
        )
        await record_change(
            session,
            actor=actor,
            action="list.expire",
            outcome="EXPIRED",
            at=now,
            subject=m.uscc,
            categories=[DataCategory.BASIC.value],
            detail={
                "list": m.id,
                "kind": m.kind,
                "list_name": m.list_name,
                "since": m.since.isoformat(),
                "until": end.isoformat(),
            },
        )
        rep.lists_expired += 1


async def _flag_overdue(
    session: AsyncSession, rep: MaintenanceReport, actor: Principal, now: datetime
) -> None:
    for o in await repo.overdue_objections(session, now):
        o.overdue = True
        await record_change(
            session,
            actor=actor,
            action="objection.overdue",
            outcome="OVERDUE",
            at=now,
            subject=o.uscc,
            detail={
                "objection": o.id,
                "record": o.record_id,
                "due_by": o.due_by.isoformat(),
            },
        )
        rep.objections_overdue += 1


async def run_maintenance(
    session: AsyncSession,
    hub: Hub,
    *,
    now: datetime | None = None,
    actor: Principal = SYSTEM,
) -> MaintenanceReport:
    """Apply every time-based rule once, in the caller's unit of work."""
    now = now or hub.clock.now()
    rep = MaintenanceReport(today=china_today(now))
    await _breach_commitments(session, hub, rep, actor, now)
    await _delete_old(session, rep, actor, now)
    await _expire(session, rep, actor, now)
    await _end_listings(session, rep, actor, now)
    await _flag_overdue(session, rep, actor, now)
    if rep.changed:
        await record_change(
            session,
            actor=actor,
            action="maintenance.run",
            outcome="OK",
            at=now,
            detail=rep.as_json(),
        )
    await session.flush()
    return rep


async def maintain(hub: Hub, *, now: datetime | None = None) -> MaintenanceReport:
    """One committed run.  Its events wait in the outbox for a dispatcher (a
    server's, or ``xinyi-hub events dispatch``): nothing is lost when this
    process exits, with or without Redis."""
    async with session_scope(hub.sessionmaker) as session:
        rep = await run_maintenance(session, hub, now=now)
    return rep
