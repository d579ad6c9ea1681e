"""Deleted records leave no copies in what was sent about them.

Negative information is deleted five years after the act ends (征信业管理条例
Art 16).  The outbox names records by id only, but a recipient's payload —
and the webhook message built from it — holds the record as that recipient
was shown it.  When records are deleted, :func:`forget_records` rewrites those
copies in the same unit of work: the event keeps its type, subject, time and
``recordId``; ``record`` becomes null.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from hub.events import repository as repo
from hub.events.payloads import webhook_body

__all__ = ["forget_records"]


async def forget_records(session: AsyncSession, record_ids: Sequence[int]) -> int:
    """Drop these records' content from every payload and message; how many
    payloads changed."""
    rewritten = []
    for recipient_id, payload in await repo.copies_of_records(session, record_ids):
        if payload.get("record") is None:
            continue
        payload = {**payload, "record": None}
        rewritten.append((recipient_id, payload, webhook_body(payload)))
    await repo.rewrite_copies(session, rewritten)
    return len(rewritten)
