"""POST /oauth/token (RFC 6749 §4.4, errors per §5.2) and GET /.well-known/jwks.json.

Protocol checks run on SQLite; the storage they touch (client lookup, secret
verification, suspension) is covered on both backends in test_clients.py and
test_schema_clients.py, which also calls this endpoint on PostgreSQL.
"""

from __future__ import annotations

import base64
from urllib.parse import quote_plus

import jwt
import pytest

from hub.auth.authenticate import principal_from_request
from hub.auth.clients import client_service
from hub.db import migrate, session_scope
from hub.enums import PrincipalKind
from tests.auth.conftest import ADMIN, create_client


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    migrate(sqlite_url)
    return sqlite_url


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def basic(client_id: str, secret: str) -> dict[str, str]:
    # §2.3.1: each part form-url-encoded, then joined and base64-encoded
    raw = f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode(), **FORM}


def no_store(response) -> bool:
    return (
        response.headers["cache-control"] == "no-store"
        and response.headers["pragma"] == "no-cache"
    )


async def test_basic_auth_gets_a_bearer_token(http, hub, bank) -> None:
    # when the bank asks with HTTP Basic
    r = await http.post(
        "/oauth/token",
        content="grant_type=client_credentials",
        headers=basic(bank.client_id, bank.client_secret),
    )
    # then it gets a token for all its scopes, not cacheable
    assert r.status_code == 200 and no_store(r)
    body = r.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 900)
    assert body["scope"] == "eligibility monitoring outcome profile:read"
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert (claims["sub"], claims["kind"], claims["client_id"], claims["name"]) == (
        bank.client.id,
        "BANK",
        bank.client_id,
        "郑州银行",
    )
    # and the token authenticates the bank as the principal Client.id
    principal = await principal_from_request(f"Bearer {body['access_token']}", hub)
    assert (principal.id, principal.kind, principal.name) == (
        bank.client.id,
        PrincipalKind.BANK,
        "郑州银行",
    )
    assert principal.scopes == ("eligibility", "monitoring", "outcome", "profile:read")


async def test_form_credentials_and_narrower_scope(http, bank) -> None:
    r = await http.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": bank.client_id,
            "client_secret": bank.client_secret,
            "scope": "eligibility profile:read",
        },
    )
    assert r.status_code == 200
    assert r.json()["scope"] == "eligibility profile:read"


async def test_wrong_secret_with_basic_is_401_with_challenge(http, bank) -> None:
    r = await http.post(
        "/oauth/token",
        content="grant_type=client_credentials",
        headers=basic(bank.client_id, "wrong"),
    )
    assert r.status_code == 401 and no_store(r)
    assert r.json()["error"] == "invalid_client"
    assert r.headers["www-authenticate"].startswith("Basic ")


async def test_wrong_secret_in_form_is_401(http, bank) -> None:
    r = await http.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": bank.client_id,
            "client_secret": "wrong",
        },
    )
    assert (r.status_code, r.json()["error"]) == (401, "invalid_client")
    assert "www-authenticate" not in r.headers


@pytest.mark.parametrize(
    "headers",
    [
        FORM,
        {"Authorization": "Basic !!!notbase64", **FORM},
        {"Authorization": "Bearer abc", **FORM},
    ],
    ids=["no-credentials", "malformed-basic", "other-scheme"],
)
async def test_missing_or_malformed_client_auth_is_invalid_client(
    http, headers
) -> None:
    r = await http.post(
        "/oauth/token", content="grant_type=client_credentials", headers=headers
    )
    assert (r.status_code, r.json()["error"]) == (401, "invalid_client")
    assert r.headers["www-authenticate"].startswith("Basic ")


async def test_unknown_client_is_invalid_client(http) -> None:
    r = await http.post(
        "/oauth/token",
        content="grant_type=client_credentials",
        headers=basic("bank-000000000000", "whatever"),
    )
    assert (r.status_code, r.json()["error"]) == (401, "invalid_client")


async def test_suspended_client_is_invalid_client(http, hub, bank) -> None:
    async with session_scope(hub.sessionmaker) as s:
        await client_service.suspend(
            s, actor=ADMIN, clock=hub.clock, id=bank.client.id, cache=hub.cache
        )
    r = await http.post(
        "/oauth/token",
        content="grant_type=client_credentials",
        headers=basic(bank.client_id, bank.client_secret),
    )
    assert (r.status_code, r.json()["error"]) == (401, "invalid_client")


async def test_unsupported_grant_type(http, bank) -> None:
    r = await http.post(
        "/oauth/token",
        content="grant_type=password&username=a&password=b",
        headers=basic(bank.client_id, bank.client_secret),
    )
    assert (r.status_code, r.json()["error"]) == (400, "unsupported_grant_type")
    assert no_store(r)


@pytest.mark.parametrize(
    ("body", "content_type", "extra_secret"),
    [
        ("scope=eligibility", "application/x-www-form-urlencoded", False),
        (
            "grant_type=client_credentials&grant_type=client_credentials",
            "application/x-www-form-urlencoded",
            False,
        ),
        ('{"grant_type": "client_credentials"}', "application/json", False),
        ("grant_type=client_credentials", "application/x-www-form-urlencoded", True),
    ],
    ids=["missing-grant-type", "duplicate-param", "json-body", "two-auth-methods"],
)
async def test_invalid_request(http, bank, body, content_type, extra_secret) -> None:
    headers = {
        **basic(bank.client_id, bank.client_secret),
        "Content-Type": content_type,
    }
    if extra_secret:
        body += f"&client_secret={quote_plus(bank.client_secret)}"
    r = await http.post("/oauth/token", content=body, headers=headers)
    assert (r.status_code, r.json()["error"]) == (400, "invalid_request")
    assert r.json()["error_description"]


@pytest.mark.parametrize("scope", ["admin", "eligibility admin", "", "nonsense"])
async def test_scope_the_kind_may_not_have_is_invalid_scope(http, bank, scope) -> None:
    r = await http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "scope": scope},
        headers=basic(bank.client_id, bank.client_secret),
    )
    assert (r.status_code, r.json()["error"]) == (400, "invalid_scope")


async def test_basic_credentials_are_form_url_decoded(http, hub) -> None:
    # given an admin client; its secret contains '-' and '_' which survive encoding
    admin = await create_client(hub, PrincipalKind.ADMIN, "运营")
    r = await http.post(
        "/oauth/token",
        content="grant_type=client_credentials",
        headers=basic(admin.client_id, admin.client_secret),
    )
    assert r.status_code == 200 and r.json()["scope"] == "admin"


async def test_get_is_not_allowed(http) -> None:
    r = await http.get("/oauth/token")
    assert r.status_code == 405


async def test_jwks_publishes_public_keys_only(http, hub) -> None:
    r = await http.get("/.well-known/jwks.json")
    assert r.status_code == 200
    keys = r.json()["keys"]
    assert [k["kid"] for k in keys] == [hub.keys.active.kid]
    assert set(keys[0]) == {"kty", "crv", "x", "y", "kid", "alg", "use"}
    # and after a rotation both keys are published, the new one first
    old = hub.keys.active.kid
    await hub.keys.rotate()
    r = await http.get("/.well-known/jwks.json")
    assert [k["kid"] for k in r.json()["keys"]] == [hub.keys.active.kid, old]


async def test_token_from_endpoint_verifies_with_published_jwk(http, bank) -> None:
    r = await http.post(
        "/oauth/token",
        content="grant_type=client_credentials",
        headers=basic(bank.client_id, bank.client_secret),
    )
    token = r.json()["access_token"]
    jwks = (await http.get("/.well-known/jwks.json")).json()
    key = jwt.PyJWKSet.from_dict(jwks)[jwt.get_unverified_header(token)["kid"]]
    claims = jwt.decode(
        token,
        key,
        algorithms=["ES256"],
        audience="xinyi-hub",
        options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
    )
    assert claims["sub"] == bank.client.id
