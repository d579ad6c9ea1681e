"""What "ACTIVE consent" means, written once — as SQL and for a loaded row.

Every query that asks whether a consent is in force — the door, the consent
list, data shares, risk alerts, agency listings — uses :func:`active_consent`
(and :func:`covers` for "…covering this category"); the door explains a
refusal with :func:`refusal`, the same rules applied to a row it loaded.  A
consent is

* **live** from its grant until it ends (revoked, superseded, suspended with
  its client, or past ``expires_at``) — ACTIVE or PAUSED;
* **usable** (the door lets it authorise a read) while live, not paused, and
  with reads left under ``max_reads`` (contract v2: "Usage limits at the
  door"; a read counts one use, a batch item one each).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, literal, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.types import Boolean

from hub.clock import utc
from hub.enums import ConsentStatus, DataCategory
from hub.models import Consent

__all__ = [
    "LIMIT_REACHED",
    "PAUSED",
    "active_consent",
    "consent_status",
    "covers",
    "live_consent",
    "refusal",
    "status_is",
]

# ``extensions.reason`` of CONSENT_REQUIRED when a live consent cannot be used.
PAUSED = "PAUSED"
LIMIT_REACHED = "LIMIT_REACHED"


def live_consent(now: datetime | ColumnElement[Any]) -> ColumnElement[bool]:
    """Not ended and not yet expired at ``now``: ACTIVE or PAUSED."""
    return and_(
        Consent.revoked_at.is_(None),
        Consent.end_reason.is_(None),
        Consent.expires_at > now,
    )


def active_consent(
    now: datetime | ColumnElement[Any], uses: int | ColumnElement[Any] = 1
) -> ColumnElement[bool]:
    """Usable at ``now`` for ``uses`` more reads (a value or a bind parameter)."""
    return and_(
        live_consent(now),
        Consent.paused_at.is_(None),
        or_(
            Consent.max_reads.is_(None), Consent.reads_used + uses <= Consent.max_reads
        ),
    )


def status_is(status: ConsentStatus, now: datetime) -> ColumnElement[bool]:
    """Rows whose :func:`consent_status` at ``now`` is ``status``."""
    if status is ConsentStatus.REVOKED:
        return Consent.revoked_at.is_not(None)
    if status is ConsentStatus.EXPIRED:
        return and_(
            Consent.revoked_at.is_(None),
            or_(Consent.expires_at <= now, Consent.end_reason.is_not(None)),
        )
    paused = Consent.paused_at.is_not(None)
    return and_(
        live_consent(now), paused if status is ConsentStatus.PAUSED else ~paused
    )


def consent_status(consent: Consent, now: datetime) -> ConsentStatus:
    """The status :func:`status_is` selects, for a loaded row."""
    if consent.revoked_at is not None:
        return ConsentStatus.REVOKED
    if consent.end_reason is not None or utc(consent.expires_at) <= now:
        return ConsentStatus.EXPIRED
    if consent.paused_at is not None:
        return ConsentStatus.PAUSED
    return ConsentStatus.ACTIVE


def refusal(
    consent: Consent, now: datetime, pending: int = 0, uses: int = 1
) -> str | None:
    """Why ``consent`` cannot authorise ``uses`` more reads, or ``None``.

    ``pending`` counts the uses this unit of work already made of it (they
    are written when it commits).  Mirrors :func:`active_consent`.
    """
    status = consent_status(consent, now)
    if status is ConsentStatus.PAUSED:
        return PAUSED
    if status is not ConsentStatus.ACTIVE:
        return str(status)
    limit = consent.max_reads
    if limit is not None and (consent.reads_used or 0) + pending + uses > limit:
        return LIMIT_REACHED
    return None


class _JsonListHas(FunctionElement[bool]):
    """``column`` (a JSON list of strings) contains ``value``."""

    type = Boolean()
    inherit_cache = True
    name = "json_list_has"


@compiles(_JsonListHas, "postgresql")
def _pg(element: _JsonListHas, compiler: Any, **kw: Any) -> str:
    column, value = (compiler.process(c, **kw) for c in element.clauses)
    return f"(CAST({column} AS JSONB) @> jsonb_build_array({value}))"


@compiles(_JsonListHas)
def _json_each(element: _JsonListHas, compiler: Any, **kw: Any) -> str:
    column, value = (compiler.process(c, **kw) for c in element.clauses)
    return f"EXISTS (SELECT 1 FROM json_each({column}) WHERE json_each.value = {value})"


def covers(category: DataCategory) -> ColumnElement[bool]:
    """The consent's categories include ``category``."""
    return _JsonListHas(Consent.categories, literal(str(category)))
