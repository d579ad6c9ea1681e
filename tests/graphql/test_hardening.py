"""Limits, coded errors and GraphQL-over-HTTP rules; no malformed request gets a 5xx."""

from __future__ import annotations

import pytest

from hub.auth.sealing import generate_kek
from hub.enums import PrincipalKind
from tests.api import Api, make_api

USCC = "91350100M000100Y43"


async def test_typename_needs_no_token(sqlite_api: Api) -> None:
    assert await sqlite_api.data("{ __typename }") == {"__typename": "Query"}


async def test_fields_need_a_token(sqlite_api: Api) -> None:
    assert await sqlite_api.error_code("{ me { id } }") == "UNAUTHENTICATED"


async def test_garbage_token_is_unauthenticated(sqlite_api: Api) -> None:
    code = await sqlite_api.error_code("{ me { id } }", token="not.a.jwt")
    assert code == "UNAUTHENTICATED"


@pytest.mark.parametrize(
    "bad",
    [
        "91350100m000100Y43",
        " 91350100M000100Y43",
        "91350100M000100Y44",
        "91350100M000100Y4",
    ],
)
async def test_bad_uscc_literal_and_variable(sqlite_api: Api, bad: str) -> None:
    bank = await sqlite_api.client(PrincipalKind.BANK)
    q = "query($u: USCC!) { entity(uscc: $u) { name } }"
    assert await sqlite_api.error_code(q, {"u": bad}, bank.token) == "INVALID_USCC"
    lit = '{ entity(uscc: "%s") { name } }' % bad
    assert await sqlite_api.error_code(lit, token=bank.token) == "INVALID_USCC"


async def test_unknown_entity_is_null(sqlite_api: Api) -> None:
    bank = await sqlite_api.client(PrincipalKind.BANK)
    data = await sqlite_api.data(
        '{ entity(uscc: "%s") { name } }' % USCC, token=bank.token
    )
    assert data == {"entity": None}


def _nested(depth: int) -> str:
    inner = "x"
    for i in range(depth - 1):
        inner = f"f{i} {{ {inner} }}"
    return "{ %s }" % inner


async def test_depth_over_ten_is_too_complex(sqlite_api: Api) -> None:
    # No path of the contract schema nests deeper than ~6, so the limit is
    # exercised on a synthetic document: depth is judged before field names.
    bank = await sqlite_api.client(PrincipalKind.BANK)
    at_limit = await sqlite_api.gql(_nested(10), token=bank.token)
    over = await sqlite_api.gql(_nested(11), token=bank.token)
    codes = lambda body: {e["extensions"]["code"] for e in body["errors"]}  # noqa: E731
    assert "QUERY_TOO_COMPLEX" not in codes(at_limit)
    assert "QUERY_TOO_COMPLEX" in codes(over)


async def test_alias_limit(sqlite_api: Api) -> None:
    bank = await sqlite_api.client(PrincipalKind.BANK)
    ok = " ".join(f"a{i}: __typename" for i in range(15))
    assert "errors" not in await sqlite_api.gql("{ %s }" % ok, token=bank.token)
    over = " ".join(f"a{i}: __typename" for i in range(16))
    body = await sqlite_api.gql("{ %s }" % over, token=bank.token)
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


async def test_token_limit(sqlite_api: Api) -> None:
    q = "{ " + " ".join(["__typename"] * 2100) + " }"
    body = await sqlite_api.gql(q)
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


async def test_list_cap(sqlite_api: Api) -> None:
    bank = await sqlite_api.client(PrincipalKind.BANK)
    q = (
        "query($u: [USCC!]!) "
        "{ creditProfiles(usccs: $u, purpose: LENDING) { __typename } }"
    )
    code = await sqlite_api.error_code(q, {"u": [USCC] * 101}, bank.token)
    assert code == "VALIDATION_ERROR"


async def test_malformed_json_is_400_graphql_body(sqlite_api: Api) -> None:
    r = await sqlite_api.http.post(
        "/graphql", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 400
    assert r.json()["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"


async def test_body_over_limit_is_413(sqlite_api: Api) -> None:
    big = b'{"query": "{ __typename }", "x": "' + b"a" * (1024 * 1024) + b'"}'
    r = await sqlite_api.http.post(
        "/graphql", content=big, headers={"content-type": "application/json"}
    )
    assert r.status_code == 413
    assert r.json()["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"


async def test_get_allows_queries_only(sqlite_api: Api) -> None:
    r = await sqlite_api.http.get("/graphql", params={"query": "{ __typename }"})
    assert r.status_code == 200 and r.json()["data"] == {"__typename": "Query"}
    r = await sqlite_api.http.get(
        "/graphql", params={"query": 'mutation { revokeConsent(id: "x") { id } }'}
    )
    assert 400 <= r.status_code < 500


async def test_graphql_response_json_media_type(sqlite_api: Api) -> None:
    r = await sqlite_api.http.post(
        "/graphql",
        json={"query": "{ me { id } }"},
        headers={"accept": "application/graphql-response+json"},
    )
    assert r.status_code < 500
    assert r.headers["content-type"].startswith("application/graphql-response+json")
    assert r.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_no_stack_traces(sqlite_api: Api) -> None:
    body = await sqlite_api.gql("{ nosuchfield }")
    err = body["errors"][0]
    assert err["extensions"]["code"] == "VALIDATION_ERROR"
    assert "Traceback" not in str(body)


async def test_production_hides_introspection_and_suggestions(
    sqlite_url: str,
    clock,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    from hub.db import migrate

    migrate(sqlite_url)
    api, http = await make_api(sqlite_url, clock, tmp_path / "p")
    try:
        from hub.root.app import create_app
        from hub.settings import Settings

        prod = Settings(
            database_url=sqlite_url, env="production", key_encryption_key=generate_kek()
        )
        import httpx

        app = create_app(prod, hub=api.hub)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://hub"
        ) as c:
            r = await c.post(
                "/graphql", json={"query": "{ __schema { types { name } } }"}
            )
            assert r.json()["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"
            r = await c.post("/graphql", json={"query": "{ entit { name } }"})
            assert "Did you mean" not in r.text
            r = await c.get("/graphql", headers={"accept": "text/html"})
            assert r.status_code == 404 or "graphiql" not in r.text.lower()
        # development: introspection and suggestions work
        r = await http.post("/graphql", json={"query": "{ entit { name } }"})
        assert "Did you mean" in r.text
    finally:
        await http.aclose()
        await api.hub.aclose()


async def test_bad_enum_variable_is_validation_error(sqlite_api: Api) -> None:
    bank = await sqlite_api.client(PrincipalKind.BANK)
    q = "query($s: ConsentStatus) { consents(status: $s) { totalCount } }"
    assert (
        await sqlite_api.error_code(q, {"s": "FOO"}, bank.token) == "VALIDATION_ERROR"
    )


async def test_scopes_narrow_what_a_token_may_do(sqlite_api: Api) -> None:
    from hub.auth.tokens import issue_access_token

    api = sqlite_api
    await api.entity(USCC)
    merchant = await api.client(PrincipalKind.MERCHANT)
    bank = await api.client(PrincipalKind.BANK)
    await api.grant(USCC, merchant, "INCENTIVE", ["BASIC", "EVALUATION"])
    await api.grant(USCC, bank, "LENDING", ["BASIC"])
    q = '{ creditProfile(uscc: "%s", purpose: %s) { entity { uscc } } }'
    # a merchant gets decisions, never profiles
    assert (
        await api.error_code(q % (USCC, "INCENTIVE"), token=merchant.token)
        == "FORBIDDEN"
    )
    # a bank token narrowed to 'outcome' cannot read profiles either
    narrow, _ = issue_access_token(
        api.hub.keys,
        api.hub.settings,
        api.hub.clock,
        sub=bank.id,
        kind=PrincipalKind.BANK,
        scope="outcome",
    )
    assert await api.error_code(q % (USCC, "LENDING"), token=narrow) == "FORBIDDEN"
    data = await api.data(q % (USCC, "LENDING"), token=bank.token)
    assert data["creditProfile"]["entity"]["uscc"] == USCC


async def test_chunked_body_over_limit_is_413(sqlite_api: Api) -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        yield b'{"query": "{ __typename }", "x": "'
        for _ in range(20):
            yield b"a" * 65536
        yield b'"}'

    r = await sqlite_api.http.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert r.status_code == 413
    assert r.json()["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"


async def test_malformed_cursor_is_validation_error(sqlite_api: Api) -> None:
    import base64

    api = sqlite_api
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    await api.grant(USCC, bank, "LENDING", ["BASIC", "TAX"])
    bad = base64.urlsafe_b64encode(b'["x","y"]').decode()
    q = (
        'query($a: String) { creditProfile(uscc: "%s", purpose: LENDING) '
        "{ records(after: $a) { totalCount } } }" % USCC
    )
    assert await api.error_code(q, {"a": bad}, bank.token) == "VALIDATION_ERROR"
    log = 'query($a: String) { accessLog(uscc: "%s", after: $a) { totalCount } }'
    code = await api.error_code(log % USCC, {"a": bad}, api.subject_token(USCC))
    assert code == "VALIDATION_ERROR"
    consents = "query($a: String) { consents(after: $a) { totalCount } }"
    assert await api.error_code(consents, {"a": bad}, bank.token) == "VALIDATION_ERROR"


async def test_uploads_are_refused_with_a_code(sqlite_api: Api) -> None:
    # No file uploads: a multipart body is a coded 400, not a framework page.
    r = await sqlite_api.http.post(
        "/graphql", files={"operations": (None, '{"query": "{ __typename }"}')}
    )
    assert r.status_code == 400
    assert r.json()["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"
