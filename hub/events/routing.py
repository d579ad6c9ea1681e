"""Routing: who hears of an event, and what each of them may see of it.

Contract v2 ("Events, webhooks, notices"):

- ``NEW_NEGATIVE_RECORD``, ``LISTED``, ``DELISTED``, ``GRADE_CHANGED`` (and
  the hub's ``RECORD_EXPIRED``): clients holding an ACTIVE MONITORING consent
  from the subject covering the event's category (lists: BASIC, FOCUS:
  PENALTY; grade: EVALUATION);
- ``RECORD_CORRECTED``, ``RECORD_REVOKED``, ``RECORD_REPAIRED``: those holders
  and every **past reader** — a client that held the subject's data of that
  category in the 12 months before (FCRA §611(d)-style notice; see
  :func:`_past_readers` for the rule).  A reader whose ACTIVE consents no
  longer cover the category is told the record id and what happened, not the
  record (``record`` null, ``recordId`` set);
- ``CONSENT_*``: the grantee; ``CONSENT_REQUEST_DECIDED``: the requester
  (both passed to :func:`hub.events.outbox.emit` as ``client_id``);
- the subject: every event about itself, as a notice in Chinese.

Whatever a client is shown of the subject's data goes through the door, like
any read: ``event.deliver`` (or ``correction.notify`` for corrections) on the
consent that covers it, decided and audited once per event and client, when
the event is routed — whatever the number of channels or retries that carry
it afterwards.  A correction notice without the record is audited too, as
``correction.notify`` with outcome ``NOTIFIED`` (actor: the notified client),
so the subject's access log shows every notice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, time
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub.access.door import Grant, open_doors
from hub.audit.changes import record_change
from hub.auth.principal import Principal
from hub.clock import CHINA
from hub.enums import DataCategory, EventType, PrincipalKind, Purpose
from hub.errors import HubError
from hub.evaluation.service import refresh_evaluation
from hub.events import repository as repo
from hub.events.payloads import (
    WITHDRAWN_BY,
    event_payload,
    record_json,
    webhook_body,
    withdrawn_record,
)
from hub.events.texts import notice_text
from hub.models import Client, Consent, CreditRecord, OutboxEvent, new_id
from hub.profiles.visibility import record_is_shared
from hub.rights import repository as rights_repo
from hub.rights.deadlines import add_years

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = [
    "CORRECTIONS",
    "MONITORED",
    "Reason",
    "Routed",
    "route",
]

log = logging.getLogger("hub.events")

E = EventType
MONITORED = frozenset(
    {
        E.NEW_NEGATIVE_RECORD,
        E.RECORD_CORRECTED,
        E.RECORD_REVOKED,
        E.RECORD_REPAIRED,
        E.RECORD_EXPIRED,
        E.LISTED,
        E.DELISTED,
        E.GRADE_CHANGED,
    }
)
CORRECTIONS = frozenset({E.RECORD_CORRECTED, E.RECORD_REVOKED, E.RECORD_REPAIRED})
#: Events after which the subject's evaluation may have changed.
DATA_CHANGES = MONITORED - {E.GRADE_CHANGED}
FOR_REQUESTER = frozenset({E.CONSENT_REQUEST_DECIDED})
FOR_GRANTEE = frozenset(t for t in EventType if t.value.startswith("CONSENT_")) - (
    FOR_REQUESTER
)
#: How far back a correction reaches past readers (FCRA §611(d): one year).
PAST_READERS_YEARS = 1


class Reason(StrEnum):
    """Why a client hears of an event."""

    MONITORING = "MONITORING"
    PAST_READER = "PAST_READER"
    GRANTEE = "GRANTEE"
    REQUESTER = "REQUESTER"


@dataclass
class _Plan:
    event: OutboxEvent
    client_id: str
    reason: Reason
    consent: Consent | None
    grant: Grant | None = None
    #: The door refused (the consent no longer reaches the category).
    refused: bool = False


@dataclass
class Routed:
    """What a committed routing leaves to do: publish, push notices."""

    events: list[OutboxEvent] = field(default_factory=list)
    #: event id → {client id: recipient row id}
    recipients: dict[str, dict[str, int]] = field(default_factory=dict)
    #: (uscc, record id, type, category) of the record events ``riskAlerts``
    #: carries.
    alerts: list[tuple[str, int, str, str]] = field(default_factory=list)
    notices: list[dict[str, Any]] = field(default_factory=list)
    deliveries: int = 0


def _covers(hub: Hub, consent: Consent, category: str | None) -> bool:
    if category is None:
        return False
    purpose = Purpose(consent.purpose)
    return category in consent.categories and DataCategory(
        category
    ) in hub.policy.categories_for(purpose)


def _principal(client: Client) -> Principal:
    return Principal(id=client.id, kind=PrincipalKind(client.kind), name=client.name)


def _year_before(now: datetime) -> datetime:
    day = add_years(now.date(), -PAST_READERS_YEARS)
    return datetime.combine(day, now.timetz())


async def _past_readers(
    session: AsyncSession, event: OutboxEvent, fact: Any, now: datetime
) -> set[str]:
    """Clients that may have received the record in the 12 months before.

    Reads are audited by category, not by record, so the rule is: a client
    whose access to the subject's data covered the record's category
    (``profile.read``, or an event or alert that carried it), granted after
    the hub held the record (``created_at``) and after its publication began,
    within the last year.  It can name a client that happened not to look at
    that record; it never misses one that did.
    """
    since = _year_before(now)
    if fact is not None:
        since = max(since, fact.created_at)
        if fact.publish_from is not None:
            since = max(since, datetime.combine(fact.publish_from, time(), CHINA))
    rows = await repo.past_readers(session, event.uscc, since)
    return {actor for actor, cats in rows if event.category in cats}


async def _plan(
    session: AsyncSession,
    hub: Hub,
    event: OutboxEvent,
    holders: dict[str, dict[str, Consent]],
    facts: dict[int, Any],
    now: datetime,
) -> list[_Plan]:
    kind = EventType(event.type)
    fact = facts.get(event.record_id) if event.record_id is not None else None
    plans: dict[str, _Plan] = {}
    if kind is E.NEW_NEGATIVE_RECORD and not _shared(fact, now):
        return []  # withdrawn, expired or not yet published: nothing to tell
    if kind in MONITORED:
        for client_id, consent in holders.get(event.uscc, {}).items():
            if _covers(hub, consent, event.category):
                plans[client_id] = _Plan(event, client_id, Reason.MONITORING, consent)
    if kind in CORRECTIONS:
        readers = await _past_readers(session, event, fact, now) - plans.keys()
        consents = await repo.consents_of(session, event.uscc, readers, now)
        for client_id in sorted(readers):
            mine = [c for c in consents if c.grantee_id == client_id]
            covering = [c for c in mine if _covers(hub, c, event.category)]
            # Prefer MONITORING, then the latest grant (consents come oldest first).
            covering.sort(key=lambda c: c.purpose == Purpose.MONITORING.value)
            plans[client_id] = _Plan(
                event,
                client_id,
                Reason.PAST_READER,
                covering[-1] if covering else None,
            )
    if kind in FOR_GRANTEE | FOR_REQUESTER and event.client_id:
        reason = Reason.REQUESTER if kind in FOR_REQUESTER else Reason.GRANTEE
        plans[event.client_id] = _Plan(event, event.client_id, reason, None)
    return list(plans.values())


def _shared(fact: Any, now: datetime) -> bool:
    if fact is None:
        return False
    today = now.astimezone(CHINA).date()
    return bool(
        fact.status in ("ACTIVE", "DISPUTED")
        and (fact.publish_from is None or fact.publish_from <= today)
        and (fact.publish_until is None or fact.publish_until >= today)
    )


def _shows_data(event: OutboxEvent, fact: Any, now: datetime) -> bool:
    """Whether this event carries subject data for a covered reader (else it
    is only the fact and the record id)."""
    kind = EventType(event.type)
    if kind in FOR_GRANTEE | FOR_REQUESTER:
        return False
    if kind is E.RECORD_CORRECTED:
        return _shared(fact, now)
    if event.record_id is not None:
        return fact is not None
    return True


async def _open_doors(
    session: AsyncSession,
    hub: Hub,
    plans: list[_Plan],
    clients: dict[str, Client],
    facts: dict[int, Any],
    now: datetime,
) -> None:
    for p in plans:
        e = p.event
        if p.consent is None or not _shows_data(e, facts.get(e.record_id or 0), now):
            continue
        kind = EventType(e.type)
        detail: dict[str, Any] = {"event": e.id, "type": e.type}
        if e.record_id is not None:
            detail["record"] = e.record_id
        decided = await open_doors(
            session,
            hub,
            _principal(clients[p.client_id]),
            usccs=[e.uscc],
            purpose=Purpose(p.consent.purpose),
            action="correction.notify" if kind in CORRECTIONS else "event.deliver",
            categories=[DataCategory(str(e.category))],
            require_all=True,
            detail=detail,
            consents={e.uscc: p.consent},
        )
        grant = decided[e.uscc]
        p.grant = grant if isinstance(grant, Grant) else None
        p.refused = p.grant is None


def _record_view(p: _Plan, records: dict[int, CreditRecord], now: datetime) -> Any:
    e = p.event
    row = records.get(e.record_id or 0)
    if p.grant is None or row is None:
        return None
    if e.type in WITHDRAWN_BY:
        return withdrawn_record(row, WITHDRAWN_BY[e.type])
    today = now.astimezone(CHINA).date()
    return record_json(row) if record_is_shared(row, today) else None


async def route(
    session: AsyncSession, hub: Hub, events: list[OutboxEvent], now: datetime
) -> Routed:
    """Route ``events`` in ``session``'s transaction (the caller commits)."""
    out = Routed(events=list(events))
    facts = await repo.record_facts(
        session, [e.record_id for e in events if e.record_id is not None]
    )
    holders: dict[str, dict[str, Consent]] = {}
    monitored = {e.uscc for e in events if e.type in MONITORED}
    for c in await repo.monitoring_holders(session, monitored, now):
        holders.setdefault(c.subject, {})[c.grantee_id] = c  # latest grant wins
    plans: list[_Plan] = []
    for e in events:
        plans.extend(await _plan(session, hub, e, holders, facts, now))
    clients = await repo.clients_by_id(session, {p.client_id for p in plans})
    named = await repo.clients_by_id(
        session, {e.client_id for e in events if e.client_id}
    )
    plans = [p for p in plans if p.client_id in clients]
    await _open_doors(session, hub, plans, clients, facts, now)
    # A monitoring holder the door turns away hears nothing; a past reader is
    # still told that the record it received changed.
    plans = [p for p in plans if not (p.refused and p.reason is Reason.MONITORING)]
    grants = [p.grant for p in plans if p.grant is not None]
    ids = sorted({p.event.record_id for p in plans if p.event.record_id is not None})
    records = await rights_repo.records_by_id(session, grants, ids) if grants else {}

    rows: list[dict[str, Any]] = []
    for p in plans:
        e = p.event
        record = _record_view(p, records, now)
        payload = event_payload(e, record=record, shows_data=p.grant is not None)
        if e.type in CORRECTIONS and record is None:
            await record_change(
                session,
                actor=_principal(clients[p.client_id]),
                action="correction.notify",
                outcome="NOTIFIED",
                at=now,
                subject=e.uscc,
                categories=[str(e.category)],
                detail={"event": e.id, "type": e.type, "record": e.record_id},
            )
        rows.append(
            {
                "event_id": e.id,
                "client_id": p.client_id,
                "reason": p.reason.value,
                "payload": payload,
                "created_at": now,
            }
        )
    recipient_ids = await repo.insert_recipients(session, rows)
    hooks: dict[str, list[Any]] = {}
    for h in await repo.webhooks_of(session, clients.keys()):
        hooks.setdefault(h.client_id, []).append(h)
    deliveries: list[dict[str, Any]] = []
    for p, row, rid in zip(plans, rows, recipient_ids, strict=True):
        out.recipients.setdefault(p.event.id, {})[p.client_id] = rid
        for h in hooks.get(p.client_id, []):
            if h.events and p.event.type not in h.events:
                continue
            deliveries.append(_delivery(h.id, rid, p.event.id, row["payload"], now))
    await repo.insert_deliveries(session, deliveries)
    out.deliveries = len(deliveries)

    notices = []
    for e in events:
        client = named.get(e.client_id or "")
        title, body = notice_text(e, client_name=client.name if client else None)
        notices.append(
            {
                "id": new_id(),
                "uscc": e.uscc,
                "event_id": e.id,
                "title": title,
                "body": body,
                "read_at": None,
                "created_at": now,
            }
        )
    await repo.insert_notices(session, notices)
    out.notices = notices
    for e in events:
        if e.type in (E.NEW_NEGATIVE_RECORD, E.RECORD_REPAIRED):
            # riskAlerts decides per subscriber, door first (hub.alerts).
            out.alerts.append((e.uscc, int(e.record_id or 0), e.type, str(e.category)))
    await repo.mark_routed(session, [e.id for e in events], now)
    await _reevaluate(session, hub, events)
    return out


def _delivery(
    webhook_id: str, recipient_id: int, event_id: str, payload: Any, now: datetime
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "webhook_id": webhook_id,
        "recipient_id": recipient_id,
        "event_id": event_id,
        "message_id": "msg_" + new_id(),
        "body": webhook_body(payload),
        "attempts": 0,
        "step": 0,
        "last_status": None,
        "last_error": None,
        "next_attempt_at": now,
        "delivered_at": None,
        "failed": False,
        "claim": None,
        "claimed_until": None,
        "created_at": now,
        "updated_at": now,
    }


async def _reevaluate(
    session: AsyncSession, hub: Hub, events: list[OutboxEvent]
) -> None:
    """Recompute the evaluations these events may have changed, where one was
    computed before: a changed grade is itself an event (GRADE_CHANGED,
    emitted by :mod:`hub.evaluation.service`, routed in a later round)."""
    changed = {e.uscc for e in events if e.type in DATA_CHANGES}
    for uscc in sorted(await repo.evaluated(session, changed)):
        try:
            await refresh_evaluation(session, hub, uscc)
        except HubError:  # the entity is gone; nothing to grade
            log.debug("no evaluation to refresh for %s", uscc)
