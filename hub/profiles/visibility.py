"""Which records and list memberships a reader may see.

Clients see ACTIVE and DISPUTED records inside their publication window
(信用修复管理办法 2026: after ``publish_until`` a record is EXPIRED and no longer
shown; REPAIRED and REVOKED records are never shared).  The subject itself
sees everything held about it, each with its status marker.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, and_, or_

from hub.enums import DataCategory, ListKind, ListMembershipStatus, RecordStatus
from hub.models import CreditRecord, ListMembership

__all__ = [
    "SHARED_STATUSES",
    "list_kinds_for",
    "list_visible",
    "record_is_shared",
    "record_visible",
]

SHARED_STATUSES = (RecordStatus.ACTIVE.value, RecordStatus.DISPUTED.value)


def record_visible(today: date, for_subject: bool) -> ColumnElement[bool]:
    if for_subject:
        return and_(True)
    return and_(
        CreditRecord.status.in_(SHARED_STATUSES),
        or_(CreditRecord.publish_from.is_(None), CreditRecord.publish_from <= today),
        or_(CreditRecord.publish_until.is_(None), CreditRecord.publish_until >= today),
    )


def record_is_shared(record: CreditRecord, today: date) -> bool:
    """:func:`record_visible` for clients, on a loaded row (e.g. one alert)."""
    return (
        record.status in SHARED_STATUSES
        and (record.publish_from is None or record.publish_from <= today)
        and (record.publish_until is None or record.publish_until >= today)
    )


def list_visible(today: date) -> ColumnElement[bool]:
    """Memberships in force today.  A DISPUTED one keeps its effect while the
    objection is open (contract v2, "Lists"); an ENDED one has none."""
    return and_(
        ListMembership.status != ListMembershipStatus.ENDED.value,
        ListMembership.since <= today,
        or_(ListMembership.until.is_(None), ListMembership.until >= today),
    )


def list_kinds_for(categories: frozenset[DataCategory]) -> list[str]:
    """RED, BLACK and WHITE memberships are public and come with BASIC; FOCUS
    with PENALTY (interfaces.md, "Profile categories"; v2 "Who hears what")."""
    kinds = []
    if DataCategory.BASIC in categories:
        kinds += [ListKind.RED.value, ListKind.BLACK.value, ListKind.WHITE.value]
    if DataCategory.PENALTY in categories:
        kinds.append(ListKind.FOCUS.value)
    return kinds
