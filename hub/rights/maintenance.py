"""Scheduled maintenance: the passage of time applied to subject data.

One run (idempotent, safe from cron; a second run the same day changes
nothing) does, in this order:

1. **commitments** not fulfilled by their due date become BREACHED and a
   negative COMMITMENT record (monitoring banks are alerted);
2. **deletion** of negative records 5 years after the act *ended*
   (征信业管理条例 Art 16: ``ended_on``).  A record without ``ended_on`` that
   is still ACTIVE (or DISPUTED) is never deleted — its act may be going on
   (an unperformed judgment, arrears) — and is listed in the report
   (``records_without_end``) once five years have passed since it happened,
   for an operator to ask its source when it ended.  One without
   ``ended_on`` that is no longer live (EXPIRED, REPAIRED, REVOKED) counts
   from ``occurred_on`` (else ``decided_on``): the earliest the act can have
   ended, so it is never kept longer than the law allows.  The audit trail
   keeps its events, which hold no record content (PIPL Art 56: at least 3
   years);
3. **expiry** of ACTIVE records past ``publish_until`` (信用修复管理办法 2026)
   and of court dishonest-debtor entries without one past their listing term
   (SPC 2017 Art 2: 2 years, or ``details.extended_until``; circumstance (一)
   has no fixed term and ends with performance only);
4. **listing terms**: 失信被执行人名单 memberships without ``until`` get
   ``since`` + 2 years (except circumstance (一)), and every membership whose
   ``until`` has passed ends (``list.end``, ``DELISTED``);
5. **overdue** flags on OPEN objections and list objections at or past their
   reply deadline;
6. **consents**: ends of expired consents (with their ``expire`` receipts),
   ``CONSENT_EXPIRING`` reminders and expired consent requests
   (``hub.consent.sweep``).

Every change is audited per subject with actor ``system``; a run that changed
anything also writes one ``maintenance.run`` summary event.  What others must
hear of — breaches, expiries (``RECORD_EXPIRED``), ended listings
(``DELISTED``) — is written to the outbox in the same transaction.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub.audit.changes import record_change
from hub.auth.principal import SYSTEM, Principal
from hub.consent.sweep import sweep
from hub.db import session_scope
from hub.entities import bump_data_version
from hub.enums import EventType, RecordStatus
from hub.events.outbox import emit
from hub.events.retention import forget_records
from hub.metrics import MAINTENANCE_CHANGES, MAINTENANCE_RUNS
from hub.models import CreditRecord
from hub.rights import repository as repo
from hub.rights.commitments import breach
from hub.rights.court_terms import DISHONEST_LIST, circumstance_of, term_end
from hub.rights.deadlines import RETENTION_YEARS, add_years, china_today, retention_end
from hub.rights.memberships import ListEndReason, end_membership
from hub.rights.records import set_record_status

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = ["MaintenanceReport", "maintain", "run_maintenance"]

# Records whose act may still be going on (retention cannot start without an
# end date): ACTIVE, and DISPUTED while its objection is heard.
LIVE = (RecordStatus.ACTIVE.value, RecordStatus.DISPUTED.value)


@dataclass
class MaintenanceReport:
    today: date
    commitments_breached: int = 0
    records_deleted: int = 0
    records_expired: int = 0
    lists_expired: int = 0
    objections_overdue: int = 0
    list_objections_overdue: int = 0
    #: Not a change: live negative records without ``ended_on`` held more than
    #: five years after they happened (ids), which retention cannot date.
    records_without_end: list[int] = field(default_factory=list)
    consents_expired: int = 0
    consent_reminders: int = 0
    consent_requests_expired: int = 0

    @property
    def counts(self) -> dict[str, int]:
        return {
            k: v
            for k, v in asdict(self).items()
            if k not in ("today", "records_without_end")
        }

    @property
    def changed(self) -> int:
        return sum(self.counts.values())

    def as_json(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            **self.counts,
            "records_without_end": list(self.records_without_end),
        }


def _dishonest_term_end(r: CreditRecord) -> date | None:
    """Last day of a court listing without ``publish_until``; None when it
    has no fixed term (circumstance (一)) or no date to count from."""
    since = r.publish_from or r.decided_on or r.occurred_on
    if since is None:
        return None
    details = r.details or {}
    raw = details.get("extended_until") or details.get("until")
    try:
        extended = date.fromisoformat(raw) if raw else None
    except (TypeError, ValueError):
        extended = None
    if extended is not None:
        return extended
    return term_end(since, circumstance_of(details))


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
    for old in await repo.retained_negative_records(session, before):
        if old.ended_on is None and old.status in LIVE:
            # 征信业管理条例 Art 16 counts from the act's end, which is not
            # known: keep it, and say so.
            rep.records_without_end.append(old.id)
            continue
        end = old.ended_on or old.occurred_on or old.decided_on
        assert end is not None  # the SQL filter compared it
        if retention_end(end) >= rep.today:
            continue
        doomed.append(old.id)
        owners.append(old.uscc)
        await record_change(
            session,
            actor=actor,
            action="record.delete",
            outcome="DELETED",
            at=now,
            subject=old.uscc,
            categories=[old.category],
            detail={
                "record": old.id,
                "kind": old.kind,
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
    for m in await repo.dishonest_memberships_without_term(session, DISHONEST_LIST):
        record = (
            await repo.record_by_source(session, m.record_source, m.record_source_id)
            if m.record_source and m.record_source_id
            else None
        )
        end = term_end(m.since, circumstance_of(record.details if record else None))
        if end is not None and end < rep.today:
            m.until, m.updated_at = end, now
    await session.flush()
    for m in await repo.memberships_past_term(session, rep.today):
        assert m.until is not None  # the SQL filter compared it
        await end_membership(
            session,
            m,
            ListEndReason.TERM_ENDED,
            actor=actor,
            at=now,
            detail={"since": m.since.isoformat(), "until": m.until.isoformat()},
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
    for lo in await repo.overdue_list_objections(session, now):
        lo.overdue = True
        await record_change(
            session,
            actor=actor,
            action="list_objection.overdue",
            outcome="OVERDUE",
            at=now,
            subject=lo.uscc,
            detail={
                "objection": lo.id,
                "list": lo.membership_id,
                "due_by": lo.due_by.isoformat(),
            },
        )
        rep.list_objections_overdue += 1


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
    swept = await sweep(session, hub, now, actor)
    rep.consents_expired = swept.consents_expired
    rep.consent_reminders = swept.consent_reminders
    rep.consent_requests_expired = swept.consent_requests_expired
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
    try:
        async with session_scope(hub.sessionmaker) as session:
            rep = await run_maintenance(session, hub, now=now)
    except Exception:
        MAINTENANCE_RUNS.labels("failed").inc()
        raise
    MAINTENANCE_RUNS.labels("ok").inc()
    for kind, count in rep.counts.items():
        if count:
            MAINTENANCE_CHANGES.labels(kind).inc(count)
    return rep
