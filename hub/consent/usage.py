"""Counting the uses of a consent, in the statement that writes the audit rows.

Contract v2, "Usage limits at the door": every read or decision under a
consent counts one use (a batch item counts one), refused attempts do not,
and past ``max_reads`` the answer is ``CONSENT_REQUIRED`` with reason
``LIMIT_REACHED``.

The door decides from the consent row it already loaded (with the uses this
unit of work made so far) and notes each use here.  The count is written when
the unit of work commits, by one conditional ``UPDATE … RETURNING`` that
carries the audit INSERT as a data-modifying CTE on PostgreSQL
(:mod:`hub.audit.companions`) — so a profile read costs no extra round
trip.  The UPDATE only counts uses the consent still allows *at commit*: a
concurrent read that took the last use, a pause or a revocation committed in
the meantime makes the commit fail, the read's audit event is kept as
``DENIED:CONSENT_REQUIRED`` with the reason, and no data leaves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Row, case, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from sqlalchemy.sql.dml import UpdateBase

from hub.audit.companions import accompany, companion
from hub.consent.active import active_consent, refusal
from hub.errors import ErrorCode, HubError
from hub.models import AuditEvent, Consent

__all__ = ["UsageCount", "note_use", "pending_uses"]

_KEY = "hub.consent.usage"


@dataclass
class UsageCount:
    """The uses one unit of work made, by consent (a :class:`Companion`)."""

    uses: dict[str, int] = field(default_factory=dict)
    events: dict[str, list[str]] = field(default_factory=dict)
    at: datetime | None = None

    def statement(self) -> UpdateBase | None:
        if not self.uses or self.at is None:
            return None
        n = case(self.uses, value=Consent.id)
        return (
            update(Consent)
            .where(Consent.id.in_(list(self.uses)), active_consent(self.at, n))
            .values(reads_used=Consent.reads_used + n, last_used_at=self.at)
            .returning(Consent.id, Consent.reads_used, Consent.last_used_at)
            .execution_options(synchronize_session=False)
        )

    def settle(
        self, session: Session, returned: Sequence[Row[Any]], events: list[AuditEvent]
    ) -> None:
        counted = {row.id for row in returned}
        for row in returned:
            # What the request shows as readsUsed / lastUsedAt.
            loaded = session.identity_map.get(identity_key(Consent, row.id))
            if loaded is not None:
                set_committed_value(loaded, "reads_used", row.reads_used)
                set_committed_value(loaded, "last_used_at", row.last_used_at)
        refused = [cid for cid in self.uses if cid not in counted]
        if not refused:
            return
        assert self.at is not None
        reasons = self._reasons(session, refused)
        for event in events:
            if (
                event.consent_id in reasons
                and event.id in self.events[event.consent_id]
            ):
                event.outcome = f"DENIED:{ErrorCode.CONSENT_REQUIRED}"
                event.detail = {
                    **(event.detail or {}),
                    "reason": reasons[event.consent_id],
                }
        first = refused[0]
        raise HubError(
            f"Consent {first} no longer allows this read ({reasons[first]}); it was "
            "paused, revoked or used up while the request ran. Ask the enterprise.",
            ErrorCode.CONSENT_REQUIRED,
            reason=reasons[first],
            consentId=first,
        )

    def _reasons(self, session: Session, ids: list[str]) -> dict[str, str]:
        assert self.at is not None
        rows = session.scalars(
            select(Consent)
            .where(Consent.id.in_(ids))
            .execution_options(populate_existing=True)
        )
        found = {c.id: c for c in rows}
        return {
            cid: (refusal(found[cid], self.at, self.uses[cid] - 1) or "REVOKED")
            if cid in found
            else "REVOKED"
            for cid in ids
        }


def _count(session: AsyncSession | Session) -> UsageCount:
    companion = accompany(session, _KEY, UsageCount)
    assert isinstance(companion, UsageCount)
    return companion


def pending_uses(session: AsyncSession | Session, consent_id: str) -> int:
    """Uses of ``consent_id`` this unit of work made and has not written yet."""
    found = companion(session, _KEY)
    return found.uses.get(consent_id, 0) if isinstance(found, UsageCount) else 0


def note_use(
    session: AsyncSession | Session, consent: Consent, event: AuditEvent, at: datetime
) -> None:
    """Count one use of ``consent`` (the access audited by ``event``)."""
    count = _count(session)
    count.uses[consent.id] = count.uses.get(consent.id, 0) + 1
    count.events.setdefault(consent.id, []).append(event.id)
    count.at = at if count.at is None or at > count.at else count.at
