"""Fair-use limits per purpose, applied to every request, grant and approval.

The limits are data — ``fair_use`` in the access policy file, validated at
load (``hub.access.policy``).  A term beyond its limit is
``VALIDATION_ERROR`` naming the limit (``extensions.limit``), so a client can
fix the request without guessing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from hub.enums import Purpose
from hub.errors import ErrorCode, HubError

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = ["Terms", "check_expiry", "check_terms"]


@dataclass(frozen=True)
class Terms:
    """Usage terms of a consent once the limits have filled the blanks."""

    max_reads: int
    data_life_days: int


def _over(purpose: Purpose, field: str, limit: str, value: int, maximum: int) -> None:
    if value > maximum:
        raise HubError(
            f"{field} {value} is over the {purpose} fair-use limit {limit} = "
            f"{maximum} (access policy); ask for at most {maximum}.",
            ErrorCode.VALIDATION_ERROR,
            limit=limit,
            maximum=maximum,
        )


def _positive(field: str, value: int | None) -> None:
    if value is not None and value < 1:
        raise HubError(f"{field} must be at least 1.", ErrorCode.VALIDATION_ERROR)


def max_days(hub: Hub, purpose: Purpose) -> int:
    """The longest a consent for ``purpose`` may run, in days."""
    return min(hub.policy.limits_for(purpose).max_days, hub.settings.max_consent_days)


def check_terms(
    hub: Hub,
    purpose: Purpose,
    *,
    duration_days: int | None = None,
    max_reads: int | None = None,
    data_life_days: int | None = None,
) -> Terms:
    """Refuse terms beyond the purpose's limits; fill the blanks with them."""
    limits = hub.policy.limits_for(purpose)
    _positive("durationDays", duration_days)
    _positive("maxReads", max_reads)
    _positive("dataLifeDays", data_life_days)
    if duration_days is not None:
        _over(
            purpose, "durationDays", "max_days", duration_days, max_days(hub, purpose)
        )
    if max_reads is not None:
        _over(purpose, "maxReads", "max_reads", max_reads, limits.max_reads)
    if data_life_days is not None:
        _over(
            purpose,
            "dataLifeDays",
            "max_data_life_days",
            data_life_days,
            limits.max_data_life_days,
        )
    return Terms(
        max_reads=max_reads if max_reads is not None else limits.max_reads,
        data_life_days=(
            data_life_days if data_life_days is not None else limits.max_data_life_days
        ),
    )


def check_expiry(hub: Hub, purpose: Purpose, expires: datetime, now: datetime) -> None:
    """``expires`` is in the future and within the purpose's ``max_days``."""
    if expires <= now:
        raise HubError("expiresAt must be in the future.", ErrorCode.VALIDATION_ERROR)
    days = max_days(hub, purpose)
    latest = now + timedelta(days=days)
    if expires > latest:
        raise HubError(
            f"expiresAt may be at most {days} days ahead for {purpose} (fair-use "
            f"limit max_days; latest {latest.isoformat()}).",
            ErrorCode.VALIDATION_ERROR,
            limit="max_days",
            maximum=days,
        )
