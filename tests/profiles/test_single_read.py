"""The single-statement profile read keeps every guarantee of the door: usage
limits exact under concurrency, a pause or revocation effective on the next
request, refusals audited — on PostgreSQL (one statement) and SQLite (the
general path) alike."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from hub.enums import PrincipalKind
from tests.api import Api, ClientCreds

USCC = "91350100M000100Y43"
# Only fields the single statement serves: this read takes the fast path on
# PostgreSQL.
READ = """query($u: USCC!) { creditProfile(uscc: $u, purpose: LENDING) {
  auditEventId entity { uscc } records(categories: [TAX], first: 5) {
  totalCount edges { node { id } } } } }"""
GRANT = """mutation($i: GrantConsentInput!) { grantConsent(input: $i) { id } }"""
LOG = """query($u: USCC!) { accessLog(uscc: $u, first: 100) { edges { node {
  action outcome consentId detail } } } }"""


async def _grant(api: Api, bank: ClientCreds, max_reads: int | None) -> str:
    data = await api.data(
        GRANT,
        {
            "i": {
                "subject": USCC,
                "granteeId": bank.id,
                "purpose": "LENDING",
                "categories": ["BASIC", "TAX"],
                "expiresAt": (api.clock.now() + timedelta(days=30)).isoformat(),
                "maxReads": max_reads,
            }
        },
        api.subject_token(USCC),
    )
    return str(data["grantConsent"]["id"])


async def _reads_used(api: Api, cid: str) -> int:
    data = await api.data(
        "query { consents { edges { node { id readsUsed } } } }",
        token=api.subject_token(USCC),
    )
    [n] = [e["node"] for e in data["consents"]["edges"] if e["node"]["id"] == cid]
    return int(n["readsUsed"])


async def test_max_reads_stay_exact_under_concurrent_single_reads(api: Api) -> None:
    await api.entity(USCC)
    await api.record(USCC, "T-1")
    bank = await api.client(PrincipalKind.BANK)
    cid = await _grant(api, bank, 5)
    bodies = await asyncio.gather(
        *(api.gql(READ, {"u": USCC}, bank.token) for _ in range(20))
    )
    served = [b for b in bodies if b.get("data")]
    refused = [b["errors"][0]["extensions"] for b in bodies if b.get("errors")]
    assert len(served) == 5
    assert all(p["data"]["creditProfile"]["records"]["totalCount"] == 1 for p in served)
    assert {(e["code"], e.get("reason")) for e in refused} == {
        ("CONSENT_REQUIRED", "LIMIT_REACHED")
    }
    assert await _reads_used(api, cid) == 5
    # every read and every refusal is in the subject's access log
    log = await api.data(LOG, {"u": USCC}, api.subject_token(USCC))
    outcomes = [
        e["node"]["outcome"]
        for e in log["accessLog"]["edges"]
        if e["node"]["action"] in ("profile.read", "profile.denied")
    ]
    assert sorted(outcomes) == ["DENIED:CONSENT_REQUIRED"] * 15 + ["GRANTED"] * 5
    granted = {p["data"]["creditProfile"]["auditEventId"] for p in served}
    assert len(granted) == 5


async def test_pause_and_revocation_bite_on_the_next_single_read(api: Api) -> None:
    await api.entity(USCC)
    await api.record(USCC, "T-1")
    bank = await api.client(PrincipalKind.BANK)
    cid = await _grant(api, bank, None)
    me = api.subject_token(USCC)
    assert (await api.data(READ, {"u": USCC}, bank.token))["creditProfile"]
    await api.data(
        "mutation($id: ID!) { pauseConsent(id: $id) { id } }", {"id": cid}, me
    )
    body = await api.gql(READ, {"u": USCC}, bank.token)
    assert body["data"] is None
    ext = body["errors"][0]["extensions"]
    assert (ext["code"], ext["reason"]) == ("CONSENT_REQUIRED", "PAUSED")
    await api.data(
        "mutation($id: ID!) { resumeConsent(id: $id) { id } }", {"id": cid}, me
    )
    assert (await api.data(READ, {"u": USCC}, bank.token))["creditProfile"]
    await api.data(
        "mutation($id: ID!) { revokeConsent(id: $id) { id } }", {"id": cid}, me
    )
    body = await api.gql(READ, {"u": USCC}, bank.token)
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "CONSENT_REQUIRED"
    assert await _reads_used(api, cid) == 2
    log = await api.data(LOG, {"u": USCC}, me)
    reads = [
        (e["node"]["outcome"], e["node"]["detail"])
        for e in log["accessLog"]["edges"]
        if e["node"]["action"] in ("profile.read", "profile.denied")
    ]
    # newest first: the refused read after the revocation, the read between,
    # the refusal while paused (with its reason), the first read
    assert [o for o, _ in reads] == [
        "DENIED:CONSENT_REQUIRED",
        "GRANTED",
        "DENIED:CONSENT_REQUIRED",
        "GRANTED",
    ]
    assert reads[2][1]["refusal"] == "PAUSED"


async def test_an_unknown_enterprise_is_not_found_without_an_audit_row(
    api: Api,
) -> None:
    bank = await api.client(PrincipalKind.BANK)
    body = await api.gql(READ, {"u": USCC}, bank.token)
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
