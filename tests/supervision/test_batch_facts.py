"""Facts for a whole draw in a few statements are the facts one by one."""

from __future__ import annotations

from datetime import timedelta

from hub.access.door import open_doors
from hub.auth.principal import Principal
from hub.db import session_scope
from hub.decisions.facts import load_facts, load_facts_many
from hub.enums import AccessBasis, PrincipalKind, Purpose
from hub.supervision.rules import CATEGORIES
from tests.api import Api

CODES = ["91350100M000100Y43", "91110000100017643K"]


async def test_batched_facts_equal_the_facts_loaded_one_at_a_time(api: Api):
    a, b = CODES
    today = api.clock.today()
    await api.entity(a)
    await api.entity(b, established_on=today - timedelta(days=400))
    await api.record(a, "tax-a", details={"rating": "B"})
    await api.record(
        b,
        "pen-b",
        category="PENALTY",
        kind="ADMIN_PENALTY",
        severity="SERIOUS",
        decided_on=today - timedelta(days=30),
        publish_from=today - timedelta(days=30),
        publish_until=today + timedelta(days=300),
    )
    await api.listing(b, "FOCUS", list_name="重点关注名单")
    await api.listing(a, "RED", list_name="纳税信用A级纳税人名单")
    agency = Principal(id="agency-1", kind=PrincipalKind.AGENCY, name="市场监管局")
    async with session_scope(api.hub.sessionmaker) as s:
        opened = await open_doors(
            s,
            api.hub,
            agency,
            usccs=CODES,
            purpose=Purpose.SUPERVISION,
            action="supervision.read",
            categories=CATEGORIES,
            basis=AccessBasis.STATUTORY,
        )
        grants = [opened[u] for u in CODES]
        one_by_one = {g.uscc: (await load_facts(s, api.hub, g))[0] for g in grants}  # type: ignore[union-attr]
        # a fresh session: the cached evaluations are read, not recomputed
    async with session_scope(api.hub.sessionmaker) as s:
        batched = await load_facts_many(s, api.hub, grants, chunk=1)  # type: ignore[arg-type]
    assert batched == one_by_one
    assert batched[b]["focus_listed"] is True and batched[b]["penalties_serious"] == 1
    assert batched[a]["red_listed"] is True and batched[a]["grade"] == "B"
