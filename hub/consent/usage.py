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

from sqlalchemy import (
    Integer,
    Row,
    String,
    Table,
    bindparam,
    case,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from sqlalchemy.sql.base import Executable

from hub.audit.companions import accompany, companion
from hub.consent.active import active_consent, refusal
from hub.errors import ErrorCode, HubError
from hub.models import AuditEvent, Consent

__all__ = ["UsageCount", "note_use", "pending_uses"]

_KEY = "hub.consent.usage"


_CONSENTS: Table = Consent.__table__  # type: ignore[assignment]
_RETURNING = (_CONSENTS.c.id, _CONSENTS.c.reads_used, _CONSENTS.c.last_used_at)
_AT = bindparam("at", type_=Consent.last_used_at.type)


def _counting(uses: Any) -> Any:
    return (
        update(_CONSENTS)
        .values(reads_used=_CONSENTS.c.reads_used + uses, last_used_at=_AT)
        .returning(*_RETURNING)
    )


# Built once (the hot path binds values, it does not rebuild SQL): one
# consent, and — on PostgreSQL — any number of them from two arrays.
_ONE = _counting(bindparam("n")).where(
    _CONSENTS.c.id == bindparam("cid"), active_consent(_AT, bindparam("n"))
)
_USES = (
    func.unnest(
        bindparam("ids", type_=ARRAY(String())), bindparam("ns", type_=ARRAY(Integer()))
    )
    .table_valued("id", "n")
    .render_derived(name="uses")
)
# The rows are locked first, in id order (``ORDER BY`` is applied before the
# locking clause), then counted.  An UPDATE … FROM locks rows in whatever
# order its plan visits them, so two batches over the same consents listed in
# different orders could each hold a row the other waits for: a deadlock
# (40P01) that fails one of the reads.  Locked in one order, the second batch
# waits for the first to commit and then counts on the row it committed.
# ``FOR NO KEY UPDATE`` is the lock the UPDATE itself takes.
_LOCKED = (
    select(_CONSENTS.c.id, _USES.c.n)
    .join_from(_CONSENTS, _USES, _CONSENTS.c.id == _USES.c.id)
    .order_by(_CONSENTS.c.id)
    .with_for_update(key_share=True, of=_CONSENTS)
    .cte("locked")
    .prefix_with("MATERIALIZED")
)
_MANY = _counting(_LOCKED.c.n).where(
    _CONSENTS.c.id == _LOCKED.c.id, active_consent(_AT, _LOCKED.c.n)
)


@dataclass
class UsageCount:
    """The uses one unit of work made, by consent (a :class:`Companion`)."""

    uses: dict[str, int] = field(default_factory=dict)
    events: dict[str, list[str]] = field(default_factory=dict)
    at: datetime | None = None

    def statement(self, dialect: str) -> tuple[Executable, dict[str, Any]] | None:
        if not self.uses or self.at is None:
            return None
        if len(self.uses) == 1:
            [(cid, n)] = self.uses.items()
            return _ONE, {"cid": cid, "n": n, "at": self.at}
        if dialect == "postgresql":
            ids = list(self.uses)
            return _MANY, {"ids": ids, "ns": [self.uses[i] for i in ids], "at": self.at}
        # Several consents elsewhere (a batch read on SQLite): built per use.
        each = case(self.uses, value=_CONSENTS.c.id)
        stmt = _counting(each).where(
            _CONSENTS.c.id.in_(list(self.uses)), active_consent(_AT, each)
        )
        return stmt, {"at": self.at}

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
                    "refusal": reasons[event.consent_id],
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
