"""The rules a consent request is checked against, apart from the flow.

Who may answer, what "still PENDING" means, how a scenario bounds the
categories, and what "narrower" means on approval (contract v2: approval may
narrow the categories, the duration and ``maxReads``; it never widens them —
``VALIDATION_ERROR``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from hub.auth.principal import Principal
from hub.clock import utc
from hub.enums import ConsentRequestStatus, DataCategory, Purpose
from hub.errors import ErrorCode, HubError
from hub.models import ConsentRequest

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = [
    "answerable",
    "check_scenario",
    "check_text",
    "narrowed",
    "request_status",
]


def request_status(
    r: ConsentRequest, now: datetime, *, must_be_pending: bool = False
) -> ConsentRequestStatus:
    """A PENDING request past ``expiresAt`` is EXPIRED, whether or not the
    sweep wrote that down yet."""
    status = ConsentRequestStatus(r.status)
    if status is ConsentRequestStatus.PENDING and utc(r.expires_at) <= now:
        status = ConsentRequestStatus.EXPIRED
    if must_be_pending and status is not ConsentRequestStatus.PENDING:
        raise HubError(
            f"Consent request {r.id} is {status}, no longer PENDING; it cannot be "
            "answered or withdrawn. Ask again with requestConsent.",
            ErrorCode.CONFLICT,
            status=str(status),
        )
    return status


async def answerable(
    session: AsyncSession, actor: Principal, request_id: str
) -> ConsentRequest:
    """The request, if ``actor`` is the enterprise it asks."""
    r = await session.get(ConsentRequest, request_id)
    if r is not None and actor.is_subject and actor.uscc == r.subject:
        return r
    if r is not None and (actor.id == r.requester_id or actor.is_admin):
        raise HubError(
            "Only the enterprise asked may answer a consent request.",
            ErrorCode.FORBIDDEN,
        )
    # Same answer whether it exists or not: ids are not an oracle.
    raise HubError(f"No consent request {request_id!r} to you.", ErrorCode.NOT_FOUND)


def check_scenario(
    hub: Hub,
    purpose: str | Purpose,
    scenario: str | None,
    categories: Sequence[DataCategory | str],
) -> Purpose:
    """A named scenario must be registered, of this purpose, and declare every
    requested category (minimum necessary, PIPL Art 6)."""
    purpose = Purpose(purpose)
    if scenario is None:
        return purpose
    if scenario not in hub.scenarios:
        raise HubError(
            f"Unknown scenario {scenario!r}; registered: "
            f"{', '.join(hub.scenarios.keys())}.",
            ErrorCode.VALIDATION_ERROR,
            scenario=scenario,
        )
    s = hub.scenarios.get(scenario)
    if s.purpose != purpose:
        raise HubError(
            f"Scenario {scenario} is for {s.purpose}, not {purpose}.",
            ErrorCode.VALIDATION_ERROR,
            scenario=scenario,
        )
    outside = sorted({str(c) for c in categories} - {str(c) for c in s.categories})
    if outside:
        raise HubError(
            f"Scenario {scenario} declares {', '.join(sorted(s.categories))}; "
            f"{', '.join(outside)} may not be asked for it.",
            ErrorCode.VALIDATION_ERROR,
            scenario=scenario,
            outside=outside,
        )
    return purpose


def check_text(
    name: str, value: str | None, limit: int, *, required: bool = False
) -> None:
    if value is None or not value.strip():
        if required:
            raise HubError(f"{name} must not be empty.", ErrorCode.VALIDATION_ERROR)
        return
    if len(value) > limit:
        raise HubError(
            f"{name} may be at most {limit} characters, got {len(value)}.",
            ErrorCode.VALIDATION_ERROR,
        )


class _Narrowing(Protocol):
    @property
    def categories(self) -> tuple[DataCategory, ...] | None: ...

    @property
    def duration_days(self) -> int | None: ...

    @property
    def max_reads(self) -> int | None: ...


def _widened(field: str, asked: int, approved: int) -> HubError:
    return HubError(
        f"Approval may only narrow a request: {field} {approved} is more than the "
        f"{asked} asked for.",
        ErrorCode.VALIDATION_ERROR,
        widened=[field],
    )


def narrowed(
    r: ConsentRequest, approval: _Narrowing
) -> tuple[list[DataCategory], int, int | None]:
    """The approved categories, days and read limit — each within the request."""
    asked = {DataCategory(c) for c in r.categories}
    categories = (
        sorted(set(approval.categories))
        if approval.categories is not None
        else sorted(asked)
    )
    if not categories:
        raise HubError(
            "Approve at least one data category.", ErrorCode.VALIDATION_ERROR
        )
    wider = sorted(set(categories) - asked)
    if wider:
        raise HubError(
            f"Approval may only narrow a request; {', '.join(wider)} was not asked "
            "for.",
            ErrorCode.VALIDATION_ERROR,
            widened=[str(c) for c in wider],
        )
    days = (
        approval.duration_days
        if approval.duration_days is not None
        else r.duration_days
    )
    if days > r.duration_days:
        raise _widened("durationDays", r.duration_days, days)
    reads = approval.max_reads if approval.max_reads is not None else r.max_reads
    if r.max_reads is not None and reads is not None and reads > r.max_reads:
        raise _widened("maxReads", r.max_reads, reads)
    return categories, days, reads
