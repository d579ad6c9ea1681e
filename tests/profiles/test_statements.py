"""Statements per read on PostgreSQL, counted on the connections' wire.

A single ``creditProfile`` is one statement (entity, consent and its use
count, audit row and records together); a batch issues the same number of
statements for 10 codes as for 100, and sealing their audit events does
too.
"""

from __future__ import annotations

import random

from hub.audit.chain import seal_pending
from hub.enums import PrincipalKind
from hub.uscc import make_uscc
from tests.api import Api
from tests.statements import counting

PROFILE = """query($u: USCC!) { creditProfile(uscc: $u, purpose: LENDING) {
  auditEventId entity { uscc name } records(categories: [TAX, PENALTY], first: 20) {
  totalCount edges { node { id kind decidedOn } } } } }"""
BATCH = """query($u: [USCC!]!) { creditProfiles(usccs: $u, purpose: LENDING) {
  ... on CreditProfile { auditEventId entity { uscc }
    records(first: 20) { totalCount edges { node { id } } } }
  ... on ProfileError { code } } }"""


async def _seed(api: Api, n: int) -> tuple[list[str], str]:
    rng = random.Random(16)
    codes = [make_uscc(rng) for _ in range(n)]
    bank = await api.client(PrincipalKind.BANK)
    for i, code in enumerate(codes):
        await api.entity(code)
        await api.record(code, f"T-{i}")
        await api.record(
            code,
            f"P-{i}",
            category="PENALTY",
            kind="ADMIN_PENALTY",
            severity="MINOR",
            title="罚款",
        )
        await api.grant(code, bank, "LENDING", ["BASIC", "TAX", "PENALTY"])
    await seal_pending(api.hub.sessionmaker)
    return codes, bank.token


async def test_a_single_read_is_one_statement(pg_api: Api) -> None:
    api = pg_api
    codes, token = await _seed(api, 2)
    await api.data(PROFILE, {"u": codes[0]}, token)  # warm (client status, plans)
    with counting(api.hub.engine) as seen:
        seen.on = True
        data = await api.data(PROFILE, {"u": codes[1]}, token)
        seen.on = False
    profile = data["creditProfile"]
    assert profile["records"]["totalCount"] == 2
    assert seen.count <= 2, seen.sql
    assert seen.count == 1, seen.sql  # today: the one statement
    assert "INSERT INTO audit_events" in seen.sql[0]
    # and the audit row it wrote is there, counted against the consent
    async with api.hub.engine.connect() as conn:
        from sqlalchemy import text

        row = (
            await conn.execute(
                text(
                    "SELECT a.outcome, a.categories::text, c.reads_used "
                    "FROM audit_events a JOIN consents c ON c.id = a.consent_id "
                    "WHERE a.id = :id"
                ),
                {"id": profile["auditEventId"]},
            )
        ).one()
    assert row[0] == "GRANTED"
    assert row[1].replace(" ", "") == '["BASIC","PENALTY","TAX"]'
    assert row[2] == 1


async def test_batches_of_10_and_100_issue_the_same_statements(pg_api: Api) -> None:
    api = pg_api
    codes, token = await _seed(api, 111)
    # warm: the client status, and each connection's type codecs (asyncpg
    # introspects a type once per connection, on first use)
    await api.data(BATCH, {"u": codes[:1]}, token)
    await api.data(BATCH, {"u": codes[:2]}, token)
    await seal_pending(api.hub.sessionmaker)

    async def statements_for(batch: list[str]) -> list[str]:
        with counting(api.hub.engine) as seen:
            seen.on = True
            data = await api.data(BATCH, {"u": batch}, token)
            sealed = await seal_pending(api.hub.sessionmaker)
            seen.on = False
        assert len(data["creditProfiles"]) == len(batch)
        assert all(p["records"]["totalCount"] == 2 for p in data["creditProfiles"])
        assert sealed == len(batch)
        return seen.sql

    ten = await statements_for(codes[1:11])
    hundred = await statements_for(codes[11:111])
    assert len(ten) == len(hundred), (ten, hundred)
    # BEGIN, entities + consents, records, use count + audit rows, COMMIT;
    # sealing: BEGIN, lock, head, unsealed, one UPDATE, COMMIT
    assert len(hundred) == 11, hundred
