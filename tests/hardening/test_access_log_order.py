"""Access-log pages never skip an event that commits after a later-written one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select

from hub.db import session_scope
from hub.enums import PrincipalKind
from hub.models import AuditEvent, new_id
from tests.api import Api

USCC = "91350100M000100Y43"
LOG = """query($a: String) { accessLog(uscc: "%s", first: 2, after: $a) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { id action } } } }""" % (
    USCC
)


async def _all_pages(api: Api) -> list[str]:
    """Every event id, newest first, following endCursor."""
    token, ids, after = api.subject_token(USCC), [], None
    while True:
        page = (await api.data(LOG, {"a": after}, token))["accessLog"]
        ids += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return ids
        after = page["pageInfo"]["endCursor"]


async def _late_event(api: Api) -> str:
    """An event written (given its ``n``) before every other, committed now —
    what a slow transaction on PostgreSQL does."""
    event_id = new_id()
    async with session_scope(api.hub.sessionmaker) as s:
        first_n = await s.scalar(select(func.min(AuditEvent.n)))
        await s.execute(
            insert(AuditEvent).values(
                n=int(first_n) - 1,
                id=event_id,
                at=api.clock.now(),
                actor_id="late-client",
                actor_kind="BANK",
                action="profile.read",
                subject=USCC,
                categories=["BASIC"],
                outcome="GRANTED",
                prev_hash="",
                hash="pending:" + event_id,
            )
        )
    return event_id


async def test_a_late_commit_is_listed_as_the_newest(api: Api) -> None:
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    await api.grant(USCC, bank, "LENDING", ["BASIC"])
    read = '{ creditProfile(uscc: "%s", purpose: LENDING) { auditEventId } }' % USCC
    for _ in range(3):
        await api.data(read, token=bank.token)
    seen = await _all_pages(api)
    assert len(seen) == 4  # consent.grant and three reads

    late = await _late_event(api)

    # a reader that takes new events from the top until it meets the newest it
    # saw finds the late one; and a full walk lists everything exactly once
    fresh = await _all_pages(api)
    assert fresh[: fresh.index(seen[0])] == [late]
    assert sorted(fresh) == sorted([*seen, late])


async def test_pages_follow_the_chain_without_gaps(api: Api) -> None:
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    await api.grant(USCC, bank, "LENDING", ["BASIC"])
    read = '{ creditProfile(uscc: "%s", purpose: LENDING) { auditEventId } }' % USCC
    ids: list[Any] = []
    for _ in range(4):
        ids.append((await api.data(read, token=bank.token))["creditProfile"])
    walked = await _all_pages(api)
    assert [i["auditEventId"] for i in reversed(ids)] == walked[:4]
    assert len(walked) == len(set(walked)) == 5
