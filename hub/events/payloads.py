"""An event as one reader may see it: the GraphQL ``Event``'s fields, camelCase.

The same dict is the ``data`` of a webhook body, what the ``events``
subscription yields and what ``webhookDeliveries`` shows, so a recipient sees
one event one way on every channel::

    {"id": "…", "type": "NEW_NEGATIVE_RECORD", "uscc": "91350100M000100Y43",
     "at": "2026-11-23T09:00:00+00:00", "recordId": "42",
     "record": {"id": "42", "category": "PENALTY", …}, "list": null,
     "grade": null, "consentId": null, "consentRequestId": null,
     "reference": null}

``record`` is null when the reader's consent does not cover the record's
category (the id stays in ``recordId``).  A record that left circulation —
repaired, revoked, expired — is described only by that fact
(:func:`withdrawn_record`): after repair no client sees its content again
(信用修复管理办法 2026).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from hub.enums import EventType, RecordStatus
from hub.models import CreditRecord, OutboxEvent

__all__ = [
    "WITHDRAWN_TITLES",
    "event_payload",
    "record_json",
    "webhook_body",
    "withdrawn_record",
]

#: What a record that left circulation is called in an event, by status.
WITHDRAWN_TITLES = {
    RecordStatus.REPAIRED.value: "信用记录已修复",
    RecordStatus.REVOKED.value: "信用记录已撤销",
    RecordStatus.EXPIRED.value: "信用记录公示期满",
}
#: Events whose record is described only by what became of it.
WITHDRAWN_BY = {
    EventType.RECORD_REPAIRED.value: RecordStatus.REPAIRED.value,
    EventType.RECORD_REVOKED.value: RecordStatus.REVOKED.value,
    EventType.RECORD_EXPIRED.value: RecordStatus.EXPIRED.value,
}


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def record_json(r: CreditRecord) -> dict[str, Any]:
    """A record as the GraphQL ``CreditRecord`` (camelCase)."""
    return {
        "id": str(r.id),
        "category": r.category,
        "kind": r.kind,
        "severity": r.severity,
        "status": r.status,
        "title": r.title,
        "authority": r.authority,
        "occurredOn": _day(r.occurred_on),
        "decidedOn": _day(r.decided_on),
        "publishFrom": _day(r.publish_from),
        "publishUntil": _day(r.publish_until),
        "source": r.source,
        "details": r.details,
    }


def withdrawn_record(r: CreditRecord, status: str) -> dict[str, Any]:
    """Only that the record was repaired, revoked or expired — same id,
    category, kind, severity, source and decision date; no content."""
    return {
        "id": str(r.id),
        "category": r.category,
        "kind": r.kind,
        "severity": r.severity,
        "status": status,
        "title": WITHDRAWN_TITLES[status],
        "authority": None,
        "occurredOn": None,
        "decidedOn": _day(r.decided_on),
        "publishFrom": None,
        "publishUntil": None,
        "source": r.source,
        "details": None,
    }


def _list_json(raw: Mapping[str, Any]) -> dict[str, Any]:
    out = {
        "kind": raw.get("kind"),
        "listName": raw.get("list_name"),
        "basis": raw.get("basis"),
        "since": raw.get("since"),
        "until": raw.get("until"),
    }
    if raw.get("id") is not None:
        out["id"] = str(raw["id"])
    if raw.get("status") is not None:
        out["status"] = raw["status"]
    return out


def event_payload(
    event: OutboxEvent,
    *,
    record: dict[str, Any] | None = None,
    shows_data: bool = True,
) -> dict[str, Any]:
    """The event for one reader: ``record`` as that reader may see it;
    ``shows_data=False`` also leaves out the list and the grade."""
    data = event.data or {}
    return {
        "id": event.id,
        "type": event.type,
        "uscc": event.uscc,
        "at": event.at.isoformat(),
        "recordId": None if event.record_id is None else str(event.record_id),
        "record": record,
        "list": _list_json(data["list"]) if shows_data and "list" in data else None,
        "grade": dict(data["grade"]) if shows_data and "grade" in data else None,
        "consentId": event.consent_id,
        "consentRequestId": event.consent_request_id,
        "reference": event.reference,
    }


def webhook_body(payload: Mapping[str, Any]) -> str:
    """The Standard Webhooks body: ``{"type", "timestamp", "data"}``."""
    return json.dumps(
        {"type": payload["type"], "timestamp": payload["at"], "data": payload},
        ensure_ascii=False,
        separators=(",", ":"),
    )


def parse_at(payload: Mapping[str, Any]) -> datetime:
    return datetime.fromisoformat(str(payload["at"]))
