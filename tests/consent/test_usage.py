"""Usage limits at the door: every read or decision counts one use, refusals
none; past maxReads the answer is CONSENT_REQUIRED / LIMIT_REACHED; counting
costs the profile read no extra round trip on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, select

from hub.access.door import open_door
from hub.auth.principal import Principal
from hub.db import session_scope
from hub.enums import DataCategory, PrincipalKind, Purpose
from hub.errors import HubError
from hub.models import AuditEvent
from tests.api import Api, ClientCreds
from tests.consent.helpers import OTHER, PROFILE, USCC, consent

GRANT = """mutation($i: GrantConsentInput!) { grantConsent(input: $i) { id maxReads
  readsUsed } }"""
BATCH = """query($u: [USCC!]!) { creditProfiles(usccs: $u, purpose: LENDING) {
  __typename ... on ProfileError { uscc code } } }"""
ELIGIBILITY = """query($u: USCC!) { eligibility(scenario: "credit-loan", uscc: $u)
  { outcome } }"""
SCENARIO = ["BASIC", "EVALUATION", "JUDICIAL", "PENALTY", "TAX"]


async def _grant(
    api: Api, bank: ClientCreds, max_reads: int | None, uscc: str = USCC
) -> str:
    data = await api.data(
        GRANT,
        {
            "i": {
                "subject": uscc,
                "granteeId": bank.id,
                "purpose": "LENDING",
                "categories": SCENARIO,
                "expiresAt": (api.clock.now() + timedelta(days=30)).isoformat(),
                "maxReads": max_reads,
            }
        },
        api.subject_token(uscc),
    )
    return str(data["grantConsent"]["id"])


async def _reason(api: Api, query: str, token: str) -> tuple[str, str | None]:
    body = await api.gql(query, {"u": USCC}, token)
    ext = body["errors"][0]["extensions"]
    return ext["code"], ext.get("reason")


async def test_max_reads_exactly_at_the_limit(api: Api) -> None:
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    cid = await _grant(api, bank, 3)
    # reads and decisions count alike, up to the limit
    await api.data(PROFILE, {"u": USCC}, bank.token)
    api.clock.advance(minutes=1)
    await api.data(ELIGIBILITY, {"u": USCC}, bank.token)
    api.clock.advance(minutes=1)
    used_at = api.clock.now()
    await api.data(PROFILE, {"u": USCC}, bank.token)
    c = await consent(api, cid)
    assert (c["readsUsed"], c["lastUsedAt"], c["status"]) == (
        3,
        used_at.isoformat(),
        "ACTIVE",
    )
    # the fourth is refused, saying why, and is not counted
    token = api.client_token(bank)
    for query in (PROFILE, ELIGIBILITY, PROFILE):
        assert await _reason(api, query, token) == ("CONSENT_REQUIRED", "LIMIT_REACHED")
    assert (await consent(api, cid))["readsUsed"] == 3
    # the subject sees the refusals in its access log, with the reason
    log = await api.data(
        "query($u: USCC!) { accessLog(uscc: $u, first: 3) { edges { node { outcome "
        "consentId detail } } } }",
        {"u": USCC},
        api.subject_token(USCC),
    )
    node = log["accessLog"]["edges"][0]["node"]
    assert (node["outcome"], node["consentId"], node["detail"]["refusal"]) == (
        "DENIED:CONSENT_REQUIRED",
        cid,
        "LIMIT_REACHED",
    )


async def test_a_grant_without_max_reads_gets_the_fair_use_limit(api: Api) -> None:
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    cid = await _grant(api, bank, None)
    c = await consent(api, cid)
    limits = api.hub.policy.limits_for(Purpose.LENDING)
    assert (c["maxReads"], c["dataLifeDays"], c["readsUsed"], c["lastUsedAt"]) == (
        limits.max_reads,
        limits.max_data_life_days,
        0,
        None,
    )


async def test_a_batch_item_counts_one(api: Api) -> None:
    await api.entity(USCC)
    await api.entity(OTHER)
    bank = await api.client(PrincipalKind.BANK)
    mine = await _grant(api, bank, 2)
    other = await _grant(api, bank, 5, uscc=OTHER)
    # the same code twice in a batch is one read
    first = await api.data(BATCH, {"u": [USCC, OTHER, USCC]}, bank.token)
    assert [p["__typename"] for p in first["creditProfiles"]] == ["CreditProfile"] * 3
    assert (await consent(api, mine))["readsUsed"] == 1
    assert (await consent(api, other, OTHER))["readsUsed"] == 1
    await api.data(BATCH, {"u": [USCC, OTHER]}, bank.token)
    # the third batch: one item used up, the other still served
    third = await api.data(BATCH, {"u": [USCC, OTHER]}, bank.token)
    assert third["creditProfiles"] == [
        {"__typename": "ProfileError", "uscc": USCC, "code": "CONSENT_REQUIRED"},
        {"__typename": "CreditProfile"},
    ]
    assert (await consent(api, mine))["readsUsed"] == 2
    assert (await consent(api, other, OTHER))["readsUsed"] == 3


async def test_uses_within_one_request_add_up(api: Api) -> None:
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    cid = await _grant(api, bank, 1)
    twice = """query($u: [USCC!]!) {
      a: creditProfiles(usccs: $u, purpose: LENDING) { __typename }
      b: creditProfiles(usccs: $u, purpose: LENDING) { __typename } }"""
    data = await api.data(twice, {"u": [USCC]}, bank.token)
    answers = sorted(data[k][0]["__typename"] for k in ("a", "b"))
    assert answers == ["CreditProfile", "ProfileError"]
    assert (await consent(api, cid))["readsUsed"] == 1


async def test_last_use_taken_while_a_request_ran_fails_its_commit(api: Api) -> None:
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    cid = await _grant(api, bank, 1)
    who = Principal(id=bank.id, kind=PrincipalKind.BANK, name="b")

    async def read(session: Any) -> str:
        grant = await open_door(
            session,
            api.hub,
            who,
            uscc=USCC,
            purpose=Purpose.LENDING,
            action="profile.read",
            categories=[DataCategory.BASIC],
        )
        return grant.audit_event_id

    # given a read that was granted (the consent had one read left) …
    with pytest.raises(HubError) as err:
        async with session_scope(api.hub.sessionmaker) as slow:
            late = await read(slow)
            # … while another read took that last use and committed first
            async with session_scope(api.hub.sessionmaker) as fast:
                await read(fast)
    # then the slow read's commit fails, and nothing of it is kept but the refusal
    assert (err.value.code, err.value.extra["reason"]) == (
        "CONSENT_REQUIRED",
        "LIMIT_REACHED",
    )
    assert (await consent(api, cid))["readsUsed"] == 1
    async with api.hub.sessionmaker() as s:
        kept = await s.scalar(select(AuditEvent).where(AuditEvent.id == late))
    assert kept is not None
    assert (kept.outcome, kept.detail["refusal"]) == (
        "DENIED:CONSENT_REQUIRED",
        "LIMIT_REACHED",
    )


async def test_counting_adds_no_round_trip_on_postgresql(api: Api) -> None:
    await api.entity(USCC)
    await api.record(USCC, "T-1")
    bank = await api.client(PrincipalKind.BANK)
    cid = await _grant(api, bank, None)
    await api.data(PROFILE, {"u": USCC}, bank.token)  # warm per-process caches
    seen: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement.split()[0])

    engine = api.hub.engine.sync_engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        await api.data(PROFILE, {"u": USCC}, bank.token)
    finally:
        event.remove(engine, "before_cursor_execute", before)
    # entity + consent, records, then the audit INSERT — which on PostgreSQL
    # carries the use count as one statement (a data-modifying CTE); SQLite
    # runs the count as its own statement, in process.
    if engine.dialect.name == "postgresql":
        assert seen == ["SELECT", "SELECT", "WITH"]
    else:
        assert seen == ["SELECT", "SELECT", "UPDATE", "INSERT"]
    assert (await consent(api, cid))["readsUsed"] == 2
