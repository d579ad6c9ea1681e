"""Batch reads counting uses of the same consents at the same time, on
PostgreSQL: the consents are locked in one order whatever the order of the
batch, so concurrent batches queue instead of deadlocking, and every use is
counted once, with one audit row per profile served."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from hub.enums import PrincipalKind
from hub.models import AuditEvent
from hub.uscc import make_uscc
from tests.api import Api
from tests.consent.helpers import consent

BATCH = """query($u: [USCC!]!) { creditProfiles(usccs: $u, purpose: LENDING) {
  __typename ... on CreditProfile { auditEventId entity { uscc } }
  ... on ProfileError { code } } }"""
GRANT = """mutation($i: GrantConsentInput!) { grantConsent(input: $i) { id } }"""

ENTERPRISES = 12
CALLERS = 24  # batches in flight at once (the pool holds 20 connections)
ROUNDS = 12


async def test_concurrent_batches_over_the_same_consents_count_every_use(
    pg_api: Api,
) -> None:
    api = pg_api
    rng = random.Random(2026)
    usccs = list(dict.fromkeys(make_uscc(rng) for _ in range(ENTERPRISES * 2)))
    usccs = usccs[:ENTERPRISES]
    bank = await api.client(PrincipalKind.BANK)
    consents: dict[str, str] = {}
    for u in usccs:
        await api.entity(u)
        data = await api.data(
            GRANT,
            {
                "i": {
                    "subject": u,
                    "granteeId": bank.id,
                    "purpose": "LENDING",
                    "categories": ["BASIC"],
                    "expiresAt": (api.clock.now() + timedelta(days=30)).isoformat(),
                }
            },
            api.subject_token(u),
        )
        consents[u] = str(data["grantConsent"]["id"])

    # given many callers, each reading every enterprise in its own order …
    async def batch(order: list[str]) -> list[dict[str, Any]]:
        body = await api.gql(BATCH, {"u": order}, bank.token)
        assert not body.get("errors"), body["errors"]
        return list(body["data"]["creditProfiles"])

    served: list[dict[str, Any]] = []
    for _ in range(ROUNDS):
        orders = [rng.sample(usccs, len(usccs)) for _ in range(CALLERS)]
        for answer in await asyncio.gather(*(batch(o) for o in orders)):
            served.extend(answer)

    # … then every item was served (no deadlock, no refusal) …
    assert Counter(p["__typename"] for p in served) == {
        "CreditProfile": CALLERS * ROUNDS * ENTERPRISES
    }
    # … each enterprise's consent counted every read exactly once …
    reads = Counter(p["entity"]["uscc"] for p in served)
    assert reads == dict.fromkeys(usccs, CALLERS * ROUNDS)
    for u in usccs:
        assert (await consent(api, consents[u], u))["readsUsed"] == reads[u]
    # … and each profile served has its own audit row, and there are no others
    ids = [p["auditEventId"] for p in served]
    assert len(set(ids)) == len(ids)
    async with api.hub.sessionmaker() as s:
        rows = (
            await s.execute(
                select(AuditEvent.consent_id, AuditEvent.outcome, func.count())
                .where(
                    AuditEvent.consent_id.in_(consents.values()),
                    AuditEvent.action == "profile.read",
                )
                .group_by(AuditEvent.consent_id, AuditEvent.outcome)
            )
        ).all()
        written = await s.scalar(select(func.count()).where(AuditEvent.id.in_(ids)))
    assert written == len(ids)
    assert {(cid, outcome): n for cid, outcome, n in rows} == {
        (consents[u], "GRANTED"): reads[u] for u in usccs
    }
