"""The courts' list, kept as list memberships: joint punishment follows it.

A connector delivers a court's 失信被执行人名单 entry as a record (kind
``DISHONEST_JUDGMENT_DEBTOR``, JUDICIAL).  Joint punishment follows list
memberships only (国办发〔2019〕35号 §八/§十; 平信用〔2021〕1号 §11), so for
each such record in force the hub keeps the BLACK membership of the list it
belongs to, naming the record it rests on, with the record's term as its
``until``.  When the source reports the obligation performed (``ended_on``;
SPC 2017 Art 10) or stops publishing the entry, the membership ends at once
(``list.end``, ``DELISTED``).  A membership the hub has ended — on
objection, performance — is never revived by a later pull.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from connectors.records import RecordIn
from hub.auth.principal import SYSTEM
from hub.enums import ListKind
from hub.rights.court_terms import DISHONEST_LIST
from hub.rights.memberships import ListEndReason, end_memberships_resting_on
from hub.sources import repository as repo

__all__ = ["sync_court_listings"]


def _performed(r: RecordIn, today: date) -> bool:
    return r.ended_on is not None and r.ended_on <= today


async def sync_court_listings(
    session: AsyncSession,
    records: Sequence[RecordIn],
    *,
    withdrawn: Sequence[str],
    source: str,
    now: datetime,
    today: date,
) -> int:
    """Keep the memberships of these pulled records; return how many changed."""
    listings = [r for r in records if r.court_listing]
    performed = [(r.source, r.source_id) for r in listings if _performed(r, today)]
    rows = []
    for r in listings:
        if _performed(r, today) or (r.publish_until and r.publish_until < today):
            continue  # over: nothing to list (one listed before ends by its term)
        since = r.publish_from or r.decided_on
        assert since is not None  # RecordRow refuses a listing without one
        rows.append(
            {
                "uscc": r.uscc,
                "kind": ListKind.BLACK.value,
                "list_name": DISHONEST_LIST,
                "since": since,
                "until": r.publish_until,
                "basis": str((r.details or {}).get("case_number") or r.source_id),
                "source": r.source,
                "record_source": r.source,
                "record_source_id": r.source_id,
                "created_at": now,
                "updated_at": now,
            }
        )
    changed = await repo.upsert_listings(session, rows)
    ended = 0
    for keys, reason in (
        (performed, ListEndReason.PERFORMED),
        ([(source, s) for s in withdrawn], ListEndReason.WITHDRAWN),
    ):
        if keys:
            ended += await end_memberships_resting_on(
                session, keys, reason, actor=SYSTEM, at=now
            )
    return changed + ended
