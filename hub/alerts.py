"""Risk alerts to monitoring banks, on ``hub.pubsub`` channel ``risk-alerts``.

A message names the subject, the record, its category and why
(``NEW_NEGATIVE_RECORD`` or ``RECORD_REPAIRED``) — never the record's
content.  :func:`deliver` decides, per subscriber and message, what that
subscriber receives:

1. nothing, silently, unless it holds an ACTIVE MONITORING consent from the
   subject at that moment (a bank learns nothing about subjects that did not
   consent, and their access logs hold no denials for alerts never theirs);
2. then the door decides on the record's category (action ``alert.deliver``;
   a refusal is audited) — before the record is loaded;
3. then the record is loaded under the grant, and only as the profile rule
   (``hub.profiles.visibility``) lets clients see it: a new record while it
   is ACTIVE or DISPUTED inside its publication window; a repaired one only
   as the fact of the repair, without its content — after repair no client
   sees the record again (信用修复管理办法 2026).  Should it not be shown,
   nothing is delivered and the grant is rolled back with its unit of work.

Publish only what is committed, or a subscriber may look for a record that is
not there yet.  Code that commits itself (the importer, connectors) awaits
:func:`publish_alert` after its commit; code running inside someone else's
unit of work (services, GraphQL mutations) calls :func:`alert_after_commit`,
which publishes when — and only if — that unit of work commits.  Short-lived
processes (the CLI) await :func:`drain_alerts` before they exit.

>>> await publish_alert(
...     hub, "91350100M000100Y43", 42, NEW_NEGATIVE_RECORD, category="PENALTY"
... )
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from hub.access.door import Grant, open_doors
from hub.auth.principal import Principal
from hub.db import session_scope
from hub.enums import DataCategory, Purpose, RecordStatus
from hub.errors import HubError
from hub.models import CreditRecord
from hub.rights import repository as repo

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = [
    "CHANNEL",
    "NEW_NEGATIVE_RECORD",
    "RECORD_REPAIRED",
    "REPAIRED_TITLE",
    "Alert",
    "alert_after_commit",
    "alert_message",
    "deliver",
    "drain_alerts",
    "publish_alert",
]

log = logging.getLogger("hub.alerts")

CHANNEL = "risk-alerts"
NEW_NEGATIVE_RECORD = "NEW_NEGATIVE_RECORD"
RECORD_REPAIRED = "RECORD_REPAIRED"
_PENDING = "hub.alerts.pending"
_TASKS: set[asyncio.Task[None]] = set()


def alert_message(
    hub: Hub, uscc: str, record_id: int, reason: str, *, category: str
) -> dict[str, Any]:
    """The message: the record's category lets the door decide before it is loaded."""
    return {
        "uscc": uscc,
        "record_id": int(record_id),
        "category": str(category),
        "reason": reason,
        "at": hub.clock.now().isoformat(),
    }


async def publish_alert(
    hub: Hub, uscc: str, record_id: int, reason: str, *, category: str
) -> None:
    """Publish one alert now (call after the record's transaction committed)."""
    if hub.pubsub is None:
        return
    message = alert_message(hub, uscc, record_id, reason, category=category)
    await hub.pubsub.publish(CHANNEL, message)


def alert_after_commit(
    session: AsyncSession,
    hub: Hub,
    uscc: str,
    record_id: int,
    reason: str,
    *,
    category: str,
) -> None:
    """Publish when ``session``'s unit of work commits; dropped on rollback."""
    pending = session.info.setdefault(_PENDING, [])
    pending.append((hub, uscc, int(record_id), reason, str(category)))


async def _publish_all(alerts: list[tuple[Any, str, int, str, str]]) -> None:
    for hub, uscc, record_id, reason, category in alerts:
        try:
            await publish_alert(hub, uscc, record_id, reason, category=category)
        except Exception:  # an alert bus outage must not undo committed work
            log.exception("risk alert for %s record %s not published", uscc, record_id)


@event.listens_for(Session, "after_commit")
def _on_commit(session: Session) -> None:
    alerts = session.info.pop(_PENDING, None)
    if not alerts:
        return
    task = asyncio.get_running_loop().create_task(_publish_all(alerts))
    _TASKS.add(task)
    task.add_done_callback(_TASKS.discard)


@event.listens_for(Session, "after_rollback")
def _on_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


async def drain_alerts() -> None:
    """Wait until every alert scheduled by a commit has been published."""
    while _TASKS:
        await asyncio.gather(*list(_TASKS), return_exceptions=True)


# --- delivery ---------------------------------------------------------------

REPAIRED_TITLE = "信用记录已修复"


@dataclass(frozen=True)
class Alert:
    """What one subscriber receives: ``record`` as the alert may show it."""

    uscc: str
    record: CreditRecord
    at: datetime
    reason: str


class _NotShown(Exception):
    """The record is not for clients to see: deliver nothing, keep no grant."""


def repaired_view(record: CreditRecord) -> CreditRecord:
    """A repaired record as an alert shows it: that it was repaired, nothing more.

    A new, unsaved row holding only what may be said of it.
    """
    return CreditRecord(
        id=record.id,
        uscc=record.uscc,
        category=record.category,
        kind=record.kind,
        severity=record.severity,
        status=RecordStatus.REPAIRED.value,
        title=REPAIRED_TITLE,
        authority=None,
        occurred_on=None,
        decided_on=record.decided_on,
        publish_from=None,
        publish_until=None,
        source=record.source,
        details=None,
    )


async def _shown(
    session: AsyncSession, hub: Hub, grant: Grant, record_id: int, reason: str
) -> CreditRecord:
    if reason == RECORD_REPAIRED:
        found = await repo.records_by_id(
            session, [grant], [record_id], status=RecordStatus.REPAIRED
        )
        if record_id not in found:
            raise _NotShown
        return repaired_view(found[record_id])
    found = await repo.records_by_id(
        session, [grant], [record_id], shared_on=hub.clock.today()
    )
    if record_id not in found:
        raise _NotShown  # withdrawn, repaired, expired or not yet published
    return found[record_id]


async def deliver(
    hub: Hub, principal: Principal, message: dict[str, Any]
) -> Alert | None:
    """The alert ``message`` makes for ``principal``; ``None``: skip it.

    One unit of work per message (for a subscription, the next message is the
    next request): it commits the door's audit event with the delivery.
    """
    uscc, record_id = str(message.get("uscc")), message.get("record_id")
    reason = str(message.get("reason"))
    try:
        category = DataCategory(str(message.get("category")))
    except ValueError:
        return None
    if not isinstance(record_id, int):
        return None
    try:
        async with session_scope(hub.sessionmaker) as session:
            consent = await repo.monitoring_consent(
                session, uscc, principal.id, hub.clock.now()
            )
            if consent is None:
                return None
            decided = await open_doors(
                session,
                hub,
                principal,
                usccs=[uscc],
                purpose=Purpose.MONITORING,
                action="alert.deliver",
                categories=[category],
                require_all=True,
                detail={"record": record_id, "reason": reason},
                consents={uscc: consent},
            )
            grant = decided[uscc]
            if isinstance(grant, HubError):
                return None  # refused, and audited by the door
            record = await _shown(session, hub, grant, record_id, reason)
    except _NotShown:
        return None
    return Alert(uscc, record, datetime.fromisoformat(str(message["at"])), reason)
