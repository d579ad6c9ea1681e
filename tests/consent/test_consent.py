"""Consent lifecycle: validation, receipts verifiable with the JWKS, idempotency."""

from __future__ import annotations

from datetime import timedelta

import jwt

from hub.enums import PrincipalKind
from tests.api import Api

USCC = "91350100M000100Y43"
GRANT = """mutation($i: GrantConsentInput!, $k: String) {
  grantConsent(input: $i, idempotencyKey: $k) { id status receipt expiresAt categories
    grantee { id kind } } }"""


def _input(
    api: Api,
    grantee: str,
    purpose: str = "LENDING",
    days: float = 90,
    cats: list[str] | None = None,
    subject: str = USCC,
) -> dict:
    return {
        "subject": subject,
        "granteeId": grantee,
        "purpose": purpose,
        "categories": ["BASIC", "TAX"] if cats is None else cats,
        "expiresAt": (api.clock.now() + timedelta(days=days)).isoformat(),
    }


async def test_receipt_verifies_against_jwks(sqlite_api: Api) -> None:
    api = sqlite_api
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    c = (await api.data(GRANT, {"i": _input(api, bank.id)}, api.subject_token(USCC)))[
        "grantConsent"
    ]
    jwks = (await api.http.get("/.well-known/jwks.json")).json()
    kid = jwt.get_unverified_header(c["receipt"])["kid"]
    key = next(k for k in jwks["keys"] if k["kid"] == kid)
    claims = jwt.decode(
        c["receipt"],
        jwt.PyJWK(key).key,
        algorithms=[key["alg"]],
        options={
            "verify_exp": False,
            "verify_aud": False,
            "verify_iat": False,
            "verify_nbf": False,
        },
    )
    assert claims["jti"] == c["id"] and claims["sub"] == USCC
    assert claims["grantee"] == bank.id and claims["purpose"] == "LENDING"
    assert claims["categories"] == ["BASIC", "TAX"]
    assert claims["iss"] == "xinyi-hub" and claims["exp"] > claims["iat"]
    assert c["grantee"] == {"id": bank.id, "kind": "BANK"}


async def test_validation(sqlite_api: Api) -> None:
    api = sqlite_api
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    merchant = await api.client(PrincipalKind.MERCHANT)
    tok = api.subject_token(USCC)

    async def code(i: dict, token: str = tok) -> str:
        body = await api.gql(GRANT, {"i": i}, token)
        assert body.get("errors"), (i, body)
        return str(body["errors"][0]["extensions"]["code"])

    assert await code(_input(api, bank.id, days=366)) == "VALIDATION_ERROR"
    assert await code(_input(api, bank.id, days=-1)) == "VALIDATION_ERROR"
    assert await code(_input(api, bank.id, cats=[])) == "VALIDATION_ERROR"
    assert await code(_input(api, merchant.id, purpose="LENDING")) == "FORBIDDEN"
    assert await code(_input(api, "nope")) == "NOT_FOUND"
    other = "91110000100017643K"
    await api.entity(other)
    assert await code(_input(api, bank.id, subject=other)) == "FORBIDDEN"
    assert await code(_input(api, bank.id), bank.token) == "FORBIDDEN"
    # 365 days exactly is allowed
    ok = await api.data(GRANT, {"i": _input(api, bank.id, days=365)}, tok)
    assert ok["grantConsent"]["status"] == "ACTIVE"


async def test_idempotency_key_replays(sqlite_api: Api) -> None:
    api = sqlite_api
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    tok = api.subject_token(USCC)
    v = {"i": _input(api, bank.id), "k": "grant-1"}
    a = (await api.data(GRANT, v, tok))["grantConsent"]["id"]
    b = (await api.data(GRANT, v, tok))["grantConsent"]["id"]
    assert a == b
    listed = await api.data("{ consents { totalCount } }", token=tok)
    assert listed["consents"]["totalCount"] == 1


async def test_expiry_and_listing_by_status(sqlite_api: Api) -> None:
    api = sqlite_api
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    await api.grant(USCC, bank, "LENDING", ["BASIC"], days=1)
    q = (
        "query($s: ConsentStatus) { consents(status: $s) "
        "{ totalCount edges { node { status } } } }"
    )
    assert (await api.data(q, {"s": "ACTIVE"}, bank.token))["consents"][
        "totalCount"
    ] == 1
    api.clock.advance(days=1, seconds=1)
    bank.token = api.client_token(bank)
    assert (await api.data(q, {"s": "ACTIVE"}, bank.token))["consents"][
        "totalCount"
    ] == 0
    expired = await api.data(q, {"s": "EXPIRED"}, bank.token)
    assert expired["consents"]["edges"][0]["node"]["status"] == "EXPIRED"
    code = await api.error_code(
        '{ creditProfile(uscc: "%s", purpose: LENDING) { purpose } }' % USCC,
        token=api.client_token(bank),
    )
    assert code == "CONSENT_REQUIRED"


async def test_idempotency_key_with_other_input_conflicts(sqlite_api: Api) -> None:
    api = sqlite_api
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    tok = api.subject_token(USCC)
    await api.data(GRANT, {"i": _input(api, bank.id), "k": "grant-2"}, tok)
    other = {"i": _input(api, bank.id, cats=["BASIC"]), "k": "grant-2"}
    assert await api.error_code(GRANT, other, tok) == "CONFLICT"


async def test_racing_idempotent_grants_give_one_consent(api: Api) -> None:
    import asyncio

    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    tok = api.subject_token(USCC)
    v = {"i": _input(api, bank.id), "k": "race"}
    bodies = await asyncio.gather(*(api.gql(GRANT, v, tok) for _ in range(4)))
    ids = {b["data"]["grantConsent"]["id"] for b in bodies if b.get("data")}
    codes = {b["errors"][0]["extensions"]["code"] for b in bodies if b.get("errors")}
    assert len(ids) == 1 and codes <= {"CONFLICT"}
    listed = await api.data("{ consents { totalCount } }", token=tok)
    assert listed["consents"]["totalCount"] == 1
