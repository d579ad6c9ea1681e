"""Canonical serialisation of an audit event, the input of its hash."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from hub.clock import utc

__all__ = ["GENESIS", "event_hash"]

# prev_hash of the first event in the chain.
GENESIS = "0" * 64


def _at(value: datetime) -> str:
    value = utc(value)
    if value.year < 1000:  # strftime's %Y does not pad these
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    # "%Y-%m-%dT%H:%M:%S.%fZ", through isoformat: the same text, cheaper.
    return value.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


# Built once: ``json.dumps`` with options makes a new encoder per call.
_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False
).encode


def event_hash(
    *,
    event_id: str,
    prev_hash: str,
    at: datetime,
    actor_id: str,
    actor_kind: str,
    action: str,
    subject: str | None,
    purpose: str | None,
    consent_id: str | None,
    categories: list[str],
    outcome: str,
    detail: dict[str, Any] | None,
    officer: str | None = None,
) -> str:
    """SHA-256 over sorted-key compact JSON of the event's fields.

    Covers the public id (handed to callers as ``auditEventId``), the previous
    hash and every stored field; chain order is carried by ``prev_hash``.
    ``officer`` enters the body only when set, so events written before it
    existed keep their hashes.
    """
    body: dict[str, Any] = {
        "id": event_id,
        "prev_hash": prev_hash,
        "at": _at(at),
        "actor_id": actor_id,
        "actor_kind": actor_kind,
        "action": action,
        "subject": subject,
        "purpose": purpose,
        "consent_id": consent_id,
        "categories": sorted(categories),
        "outcome": outcome,
        "detail": detail or {},
    }
    if officer is not None:
        body["officer"] = officer
    return hashlib.sha256(_CANONICAL(body).encode()).hexdigest()
