"""The demo data and the agency sandbox tell one history: pulling a demo
enterprise's sources finds the records the demo seeded, not other ones."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select

from hub.demo.generator import generate, seed_demo
from hub.enums import PrincipalKind
from hub.models import CreditRecord
from tests.api import Api

AGENCY_SOURCES = {"henan-tax", "court-dishonest", "market-regulation", "utilities"}
ALL = ["BASIC", "TAX", "JUDICIAL", "LICENSING", "PENALTY", "UTILITIES"]
FIELDS = ("category", "kind", "severity", "title", "decided_on", "publish_until")


async def _records(api: Api, uscc: str) -> dict[str, set[tuple[Any, ...]]]:
    async with api.hub.sessionmaker() as s:
        rows = await s.scalars(select(CreditRecord).where(CreditRecord.uscc == uscc))
        found: dict[str, set[tuple[Any, ...]]] = defaultdict(set)
        for r in rows:
            if r.source in AGENCY_SOURCES:
                found[r.source].add((r.source_id, *(getattr(r, f) for f in FIELDS)))
    return dict(found)


def _pick(n: int, seed: int, today: Any) -> list[str]:
    """Demo enterprises with records from every agency source between them."""
    sources: dict[str, set[str]] = defaultdict(set)
    for row in generate(n, seed, today):
        if row["type"] == "record" and row["source"] in AGENCY_SOURCES:
            sources[row["uscc"]].add(row["source"])
    court = next(u for u, s in sources.items() if "court-dishonest" in s)
    arrears = next(u for u, s in sources.items() if "utilities" in s)
    return [court, arrears]


async def test_pulling_a_demo_enterprise_meets_the_seeded_records(
    pulling_api: Api,
) -> None:
    api = pulling_api
    await seed_demo(api.hub.sessionmaker, 80, 2026, api.clock)
    bank = await api.client(PrincipalKind.BANK)
    query = """query($u: USCC!) { creditProfile(uscc: $u, purpose: LENDING) {
      sources { source stale error } } }"""
    for uscc in _pick(80, 2026, api.clock.today()):
        seeded = await _records(api, uscc)
        await api.grant(uscc, bank, "LENDING", ALL)
        profile = (await api.data(query, {"u": uscc}, bank.token))["creditProfile"]
        assert all(not s["stale"] for s in profile["sources"]), profile
        # the same records under the same ids, nothing added, nothing changed
        assert await _records(api, uscc) == seeded
