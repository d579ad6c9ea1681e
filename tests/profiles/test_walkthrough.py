"""The bank's walk from CONSENT_REQUIRED to a consented, audited profile read."""

from __future__ import annotations

from hub.enums import PrincipalKind
from tests.api import Api

USCC = "91350100M000100Y43"
PROFILE = """query($u: USCC!) { creditProfile(uscc: $u, purpose: LENDING) {
  entity { name } purpose auditEventId consent { id purpose grantee { id kind } }
  records { totalCount edges { node { kind title status } } }
  lists { kind listName }
} }"""
LOG = """query($u: USCC!) { accessLog(uscc: $u) { totalCount edges { node {
  action actorId purpose consentId categories outcome } } } }"""


async def test_consent_then_read_then_access_log(api: Api) -> None:
    await api.entity(USCC)
    await api.record(USCC, "T-1")
    await api.record(
        USCC,
        "P-1",
        category="PENALTY",
        kind="ADMIN_PENALTY",
        severity="MINOR",
        title="罚款 500 元",
        source="market-regulation",
    )
    bank = await api.client(PrincipalKind.BANK)

    # no consent yet
    body = await api.gql(PROFILE, {"u": USCC}, bank.token)
    assert body["errors"][0]["extensions"]["code"] == "CONSENT_REQUIRED"
    assert body["data"] is None

    consent_id = await api.grant(USCC, bank, "LENDING", ["BASIC", "TAX"])
    data = await api.data(PROFILE, {"u": USCC}, bank.token)
    p = data["creditProfile"]
    assert p["consent"]["id"] == consent_id
    assert p["consent"]["grantee"] == {"id": bank.id, "kind": "BANK"}
    # PENALTY not consented: never shown
    assert [e["node"]["kind"] for e in p["records"]["edges"]] == ["TAX_RATING"]
    assert p["records"]["totalCount"] == 1

    log = (await api.data(LOG, {"u": USCC}, api.subject_token(USCC)))["accessLog"]
    actions = [(e["node"]["action"], e["node"]["outcome"]) for e in log["edges"]]
    assert actions == [
        ("profile.read", "GRANTED"),
        ("consent.grant", "OK"),
        ("profile.denied", "DENIED:CONSENT_REQUIRED"),
    ]
    read = log["edges"][0]["node"]
    assert read["actorId"] == bank.id and read["consentId"] == consent_id
    assert read["categories"] == ["BASIC", "TAX"]


async def test_revocation_takes_effect_on_next_request(api: Api) -> None:
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    cid = await api.grant(USCC, bank, "LENDING", ["BASIC"])
    await api.data(PROFILE, {"u": USCC}, bank.token)
    await api.data(
        "mutation($id: ID!) { revokeConsent(id: $id) { status } }",
        {"id": cid},
        api.subject_token(USCC),
    )
    assert await api.error_code(PROFILE, {"u": USCC}, bank.token) == "CONSENT_REQUIRED"


async def test_batch_profiles_per_item_errors(api: Api) -> None:
    other = "91110000100017643K"
    unknown = "91410100QQ0NE8PR3E"
    await api.entity(USCC)
    await api.entity(other)
    bank = await api.client(PrincipalKind.BANK)
    await api.grant(USCC, bank, "LENDING", ["BASIC"])
    q = """query($u: [USCC!]!) { creditProfiles(usccs: $u, purpose: LENDING) {
      __typename ... on CreditProfile { entity { uscc } }
      ... on ProfileError { uscc code } } }"""
    data = await api.data(q, {"u": [USCC, other, unknown]}, bank.token)
    assert data["creditProfiles"] == [
        {"__typename": "CreditProfile", "entity": {"uscc": USCC}},
        {"__typename": "ProfileError", "uscc": other, "code": "CONSENT_REQUIRED"},
        {"__typename": "ProfileError", "uscc": unknown, "code": "NOT_FOUND"},
    ]
