"""What a delivery from a source announces: one rule for import and connectors.

A record arrives (an import row, a connector pull) either new or as a new
version of one the hub holds; a list membership likewise.  These functions
say which event, if any, that is:

=====================================  =========================
record                                 event
=====================================  =========================
new, negative, ACTIVE/DISPUTED         ``NEW_NEGATIVE_RECORD``
now REVOKED by its source              ``RECORD_REVOKED``
now EXPIRED (window over, withdrawn)   ``RECORD_EXPIRED``
turned negative while shared           ``NEW_NEGATIVE_RECORD``
content changed while shared           ``RECORD_CORRECTED``
=====================================  =========================

A membership that comes into force is ``LISTED``; one that ends is
``DELISTED``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from hub.enums import EventType, RecordStatus, Severity

__all__ = ["CONTENT_FIELDS", "list_event", "list_snapshot", "record_event"]

#: A change of any of these is a correction of what readers received.
CONTENT_FIELDS = (
    "category",
    "kind",
    "severity",
    "title",
    "authority",
    "occurred_on",
    "decided_on",
    "ended_on",
    "publish_from",
    "publish_until",
    "details",
)
_SHARED = (RecordStatus.ACTIVE.value, RecordStatus.DISPUTED.value)


def _negative(values: Mapping[str, Any]) -> bool:
    return str(values["severity"]) != Severity.NONE.value


def record_event(
    prev: Mapping[str, Any] | None, new: Mapping[str, Any]
) -> EventType | None:
    """The event a delivered record announces (``prev``: as stored before)."""
    status = str(new["status"])
    if prev is None:
        if _negative(new) and status in _SHARED:
            return EventType.NEW_NEGATIVE_RECORD
        return None
    if status != str(prev["status"]):
        if status == RecordStatus.REVOKED.value:
            return EventType.RECORD_REVOKED
        if status == RecordStatus.EXPIRED.value:
            return EventType.RECORD_EXPIRED
    if status not in _SHARED:
        return None
    if _negative(new) and not _negative(prev):
        return EventType.NEW_NEGATIVE_RECORD
    if any(_differ(prev.get(f), new.get(f)) for f in CONTENT_FIELDS):
        return EventType.RECORD_CORRECTED
    return None


def _differ(a: Any, b: Any) -> bool:
    return bool(a != b)


def _in_force(since: date, until: date | None, today: date) -> bool:
    return since <= today and (until is None or until >= today)


def list_event(
    prev: Mapping[str, Any] | None, new: Mapping[str, Any], today: date
) -> EventType | None:
    """LISTED when a membership comes into force, DELISTED when it ends."""
    now_in = _in_force(new["since"], new.get("until"), today)
    was_in = prev is not None and _in_force(prev["since"], prev.get("until"), today)
    if now_in and not was_in:
        return EventType.LISTED
    if was_in and not now_in:
        return EventType.DELISTED
    return None


def list_snapshot(values: Mapping[str, Any]) -> dict[str, Any]:
    """The membership as an event carries it."""
    return {
        "id": values.get("id"),
        "kind": str(values["kind"]),
        "list_name": values["list_name"],
        "basis": values["basis"],
        "since": values["since"],
        "until": values.get("until"),
        **({"status": str(values["status"])} if values.get("status") else {}),
    }
