"""Risk alerts to monitoring banks, on ``hub.pubsub`` channel ``risk-alerts``.

A message names the subject, the record and why (``NEW_NEGATIVE_RECORD`` or
``RECORD_REPAIRED``) — never the record's content: each subscriber loads the
record itself, through the door, only if it holds an ACTIVE MONITORING
consent from that subject at that moment (``schema.alerts``).

Publish only what is committed, or a subscriber may look for a record that is
not there yet.  Code that commits itself (the importer, connectors) awaits
:func:`publish_alert` after its commit; code running inside someone else's
unit of work (services, GraphQL mutations) calls :func:`alert_after_commit`,
which publishes when — and only if — that unit of work commits.  Short-lived
processes (the CLI) await :func:`drain_alerts` before they exit.

>>> await publish_alert(hub, "91350100M000100Y43", 42, NEW_NEGATIVE_RECORD)
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = [
    "CHANNEL",
    "NEW_NEGATIVE_RECORD",
    "RECORD_REPAIRED",
    "alert_after_commit",
    "alert_message",
    "drain_alerts",
    "publish_alert",
]

log = logging.getLogger("hub.alerts")

CHANNEL = "risk-alerts"
NEW_NEGATIVE_RECORD = "NEW_NEGATIVE_RECORD"
RECORD_REPAIRED = "RECORD_REPAIRED"
_PENDING = "hub.alerts.pending"
_TASKS: set[asyncio.Task[None]] = set()


def alert_message(hub: Hub, uscc: str, record_id: int, reason: str) -> dict[str, Any]:
    return {
        "uscc": uscc,
        "record_id": int(record_id),
        "reason": reason,
        "at": hub.clock.now().isoformat(),
    }


async def publish_alert(hub: Hub, uscc: str, record_id: int, reason: str) -> None:
    """Publish one alert now (call after the record's transaction committed)."""
    if hub.pubsub is None:
        return
    await hub.pubsub.publish(CHANNEL, alert_message(hub, uscc, record_id, reason))


def alert_after_commit(
    session: AsyncSession, hub: Hub, uscc: str, record_id: int, reason: str
) -> None:
    """Publish when ``session``'s unit of work commits; dropped on rollback."""
    session.info.setdefault(_PENDING, []).append((hub, uscc, int(record_id), reason))


async def _publish_all(alerts: list[tuple[Any, str, int, str]]) -> None:
    for hub, uscc, record_id, reason in alerts:
        try:
            await publish_alert(hub, uscc, record_id, reason)
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
