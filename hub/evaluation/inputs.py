"""What an evaluation (and a scenario's facts) is computed from.

Only *countable* data is put here: records that are published today and are
ACTIVE or DISPUTED (EXPIRED, REVOKED and REPAIRED records never count —
信用修复管理办法), and list memberships in force today.  The repository does
that filtering in SQL; these views keep scoring a pure function.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from hub.enums import RecordStatus

__all__ = ["EntityData", "ListView", "RecordView"]


@dataclass(frozen=True, slots=True)
class RecordView:
    id: int
    category: str
    kind: str
    severity: str
    status: str
    decided_on: date | None = None
    details: dict[str, Any] | None = None

    @property
    def disputed(self) -> bool:
        return self.status == RecordStatus.DISPUTED


@dataclass(frozen=True, slots=True)
class ListView:
    kind: str
    list_name: str
    basis: str
    since: date
    until: date | None = None


@dataclass(frozen=True, slots=True)
class EntityData:
    uscc: str
    kind: str = "ENTERPRISE"
    status: str = "存续"
    established_on: date | None = None
    records: tuple[RecordView, ...] = ()
    lists: tuple[ListView, ...] = field(default_factory=tuple)
