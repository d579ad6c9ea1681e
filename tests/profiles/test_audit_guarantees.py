"""No audit row, no data; one chain under 200 concurrent reads; constant SQL
per batch."""

from __future__ import annotations

import asyncio

from sqlalchemy import event, text

from hub.audit.chain import seal_pending
from hub.audit.verify import verify_chain
from hub.enums import PrincipalKind
from hub.uscc import make_uscc
from tests.api import Api

USCC = "91350100M000100Y43"
PROFILE = """query($u: USCC!) { creditProfile(uscc: $u, purpose: LENDING) {
  entity { name } auditEventId records { totalCount } } }"""


async def test_audit_write_failure_returns_error_and_no_data(api: Api) -> None:
    await api.entity(USCC)
    await api.record(USCC, "T-1")
    bank = await api.client(PrincipalKind.BANK)
    await api.grant(USCC, bank, "LENDING", ["BASIC", "TAX"])
    # given an audit table that cannot take writes
    async with api.hub.engine.begin() as conn:
        await conn.execute(text("ALTER TABLE audit_events RENAME TO audit_events_away"))
    try:
        body = await api.gql(PROFILE, {"u": USCC}, bank.token)
    finally:
        async with api.hub.engine.begin() as conn:
            await conn.execute(
                text("ALTER TABLE audit_events_away RENAME TO audit_events")
            )
    # then the caller gets an error and no data
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL"
    assert "Traceback" not in str(body)


async def test_chain_intact_after_200_concurrent_reads(api: Api) -> None:
    await api.entity(USCC)
    await api.record(USCC, "T-1")
    bank = await api.client(PrincipalKind.BANK)
    await api.grant(USCC, bank, "LENDING", ["BASIC", "TAX"])

    results = await asyncio.gather(
        *(api.gql(PROFILE, {"u": USCC}, bank.token) for _ in range(200))
    )
    ids = {r["data"]["creditProfile"]["auditEventId"] for r in results}
    assert len(ids) == 200
    await seal_pending(api.hub.sessionmaker)
    async with api.hub.sessionmaker() as s:
        report = await verify_chain(s)
    # 200 reads + client.create + consent.grant
    assert (report.ok, report.events) == (True, 202)


async def test_batch_reads_issue_constant_statements(api: Api) -> None:
    import random

    rng = random.Random(7)
    codes = [make_uscc(rng) for _ in range(100)]
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
        await api.listing(code, "RED", list_name="纳税信用A级纳税人名单")
        await api.grant(code, bank, "LENDING", ["BASIC", "TAX", "PENALTY"])
    q = """query($u: [USCC!]!) { creditProfiles(usccs: $u, purpose: LENDING) {
      ... on CreditProfile { entity { uscc } consent { id grantee { id } }
        records(first: 5) { totalCount edges { node { kind } } } lists { kind }
        sources { source stale } }
      ... on ProfileError { code } } }"""

    # connectors configured (batch reads report stored freshness, never pull)
    from connectors.registry import load_connectors
    from hub.settings import Settings

    await api.hub.connectors.aclose()
    api.hub.connectors = load_connectors(
        Settings(connectors={"henan-tax": {"base_url": "http://127.0.0.1:9"}})
    )

    async def statements_for(n: int) -> int:
        count = 0

        def before(*_: object) -> None:
            nonlocal count
            count += 1

        event.listen(api.hub.engine.sync_engine, "before_cursor_execute", before)
        try:
            data = await api.data(q, {"u": codes[:n]}, bank.token)
        finally:
            event.remove(api.hub.engine.sync_engine, "before_cursor_execute", before)
        assert len(data["creditProfiles"]) == n
        assert all(p["records"]["totalCount"] == 2 for p in data["creditProfiles"])
        assert all(
            p["sources"] == [{"source": "henan-tax", "stale": True}]
            for p in data["creditProfiles"]
        )
        return count

    await statements_for(1)  # warm per-process caches (client status, keys)
    assert await statements_for(10) == await statements_for(100)


async def test_refusal_beside_a_write_neither_stalls_nor_is_lost(api: Api) -> None:
    # given a read that writes (the evaluation cache) and a refused batch item
    other = "91110000100017643K"
    await api.entity(USCC)
    await api.entity(other)
    await api.record(USCC, "T-1")
    bank = await api.client(PrincipalKind.BANK)
    await api.grant(USCC, bank, "LENDING", ["BASIC", "TAX", "EVALUATION"])
    q = """query($u: USCC!, $o: [USCC!]!) {
      a: creditProfile(uscc: $u, purpose: LENDING) { evaluation { grade } }
      b: creditProfiles(usccs: $o, purpose: LENDING) {
        ... on ProfileError { code } } }"""
    # when both run in one request
    data = await api.data(q, {"u": USCC, "o": [other]}, bank.token)
    # then both answer, and the refusal is in the other subject's access log
    assert data["a"]["evaluation"]["grade"] in {"A", "B", "C", "D", "E"}
    assert data["b"] == [{"code": "CONSENT_REQUIRED"}]
    log = await api.data(
        '{ accessLog(uscc: "%s") { edges { node { action outcome } } } }' % other,
        token=api.subject_token(other),
    )
    assert log["accessLog"]["edges"] == [
        {"node": {"action": "profile.denied", "outcome": "DENIED:CONSENT_REQUIRED"}}
    ]


async def test_refusal_of_a_single_read_is_kept_after_rollback(api: Api) -> None:
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    body = await api.gql(PROFILE, {"u": USCC}, bank.token)
    assert body["data"] is None
    log = await api.data(
        '{ accessLog(uscc: "%s") { totalCount edges { node { action } } } }' % USCC,
        token=api.subject_token(USCC),
    )
    assert [e["node"]["action"] for e in log["accessLog"]["edges"]] == [
        "profile.denied"
    ]


async def test_refusals_survive_a_failed_commit(
    postgres_url: str,
    clock,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    from hub.db import migrate
    from tests.api import make_api

    migrate(postgres_url)
    api, http = await make_api(postgres_url, clock, tmp_path)
    try:
        # given a batch with one granted and one refused item, and an audit
        # table that refuses GRANTED rows, so the request's COMMIT fails
        other = "91110000100017643K"
        await api.entity(USCC)
        await api.entity(other)
        bank = await api.client(PrincipalKind.BANK)
        await api.grant(USCC, bank, "LENDING", ["BASIC"])
        async with api.hub.engine.begin() as conn:
            await conn.execute(
                text(
                    "ALTER TABLE audit_events ADD CONSTRAINT no_grants "
                    "CHECK (outcome <> 'GRANTED')"
                )
            )
        q = """query($u: [USCC!]!) { creditProfiles(usccs: $u, purpose: LENDING) {
          __typename } }"""
        # when it runs
        body = await api.gql(q, {"u": [USCC, other]}, bank.token)
        # then no data, and the refusal is still on record
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "INTERNAL"
        async with api.hub.sessionmaker() as s:
            rows = (
                await s.execute(
                    text("SELECT action, outcome FROM audit_events WHERE subject = :u"),
                    {"u": other},
                )
            ).all()
        assert [tuple(r) for r in rows] == [
            ("profile.denied", "DENIED:CONSENT_REQUIRED")
        ]
    finally:
        await http.aclose()
        await api.hub.aclose()
