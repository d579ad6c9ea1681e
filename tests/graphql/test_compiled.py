"""Compiled reads (schema.hot): the executor's answers, byte for byte.

Two hubs on one PostgreSQL database, one answering hot documents with
compiled code and one with the GraphQL executor, are asked the same
documents; their bodies must be equal but for the audit event id each read
wrote.  Refusals, bad input and failures after the read keep their codes,
and a declined request is authenticated and rate-limited once.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from hub.enums import PrincipalKind
from hub.uscc import make_uscc
from schema import compiled_plans
from schema.view import HubGraphQL
from tests.api import Api, ClientCreds, make_api

BENCH = (
    "query($u: USCC!) { creditProfile(uscc: $u, purpose: LENDING) { auditEventId "
    "entity { uscc name kind regionCode status } "
    "records(categories: [TAX, PENALTY], first: 20) { edges { node { id category "
    "kind severity status title decidedOn } } } } }"
)
WIDE = """
query Wide($u: USCC!, $p: Purpose!, $n: Int, $c: [DataCategory!]) {
  __typename
  profile: creditProfile(uscc: $u, purpose: $p) {
    __typename
    ...Head
    generatedAt
    purpose
    entity { ... on Entity { uscc } name kind regionCode industryCode establishedOn
      registeredCapital legalRepresentative status __typename }
    page: records(first: $n, categories: $c) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { ...Rec id } }
    }
  }
}
fragment Head on CreditProfile { auditEventId entity { uscc } }
fragment Rec on CreditRecord {
  id category kind severity status title authority occurredOn decidedOn
  publishFrom publishUntil source details
}
"""
NO_RECORDS = """query($u: USCC!) { creditProfile(uscc: $u, purpose: LENDING) {
  auditEventId generatedAt entity { uscc name } } }"""
LITERAL = """query { creditProfile(uscc: "%s", purpose: LENDING) {
  auditEventId records(categories: [PENALTY], first: 1) { totalCount
  pageInfo { hasNextPage endCursor } edges { node { id title details } } } } }"""
UNCOVERED = """query($u: USCC!) { creditProfile(uscc: $u, purpose: LENDING) {
  auditEventId records(categories: [JUDICIAL]) { totalCount edges { cursor } } } }"""


def _same(body: str) -> str:
    """A body with the audit event ids (one per read) taken out."""
    return re.sub(r'"auditEventId":"[^"]*"', '"auditEventId":"…"', body)


@pytest.fixture
async def hubs(postgres_url: str, clock, tmp_path) -> AsyncIterator[tuple[Api, Api]]:  # type: ignore[no-untyped-def]
    from hub.db import migrate

    migrate(postgres_url)
    compiled, http1 = await make_api(postgres_url, clock, tmp_path)
    executor, http2 = await make_api(
        postgres_url, clock, tmp_path, compiled_reads=False
    )
    yield compiled, executor
    for http in (http1, http2):
        await http.aclose()
    for api in (compiled, executor):
        await api.hub.aclose()


async def _seed(api: Api, n: int = 3) -> tuple[list[str], ClientCreds]:
    rng = random.Random(7)
    codes = [make_uscc(rng) for _ in range(n)]
    bank = await api.client(PrincipalKind.BANK)
    today = api.clock.today()
    for i, code in enumerate(codes):
        await api.entity(code)
        for j in range(3):
            await api.record(
                code,
                f"T-{i}-{j}",
                decided_on=today - timedelta(days=10 + j),
                details={"rating": "A", "年度": 2025, "n": [1, 2.5, None]},
            )
        await api.record(
            code,
            f"P-{i}",
            category="PENALTY",
            kind="ADMIN_PENALTY",
            severity="MINOR",
            title='罚款 "引号" \\ 与换行\n',
            details=None,
        )
        await api.grant(code, bank, "LENDING", ["BASIC", "TAX", "PENALTY"])
    return codes, bank


async def _post(
    api: Api, query: str, variables: Any, token: str | None
) -> httpx.Response:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return await api.http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )


async def _audit_rows(api: Api, uscc: str) -> list[tuple[str, str]]:
    async with api.hub.engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT action, outcome FROM audit_events WHERE subject = :u "
                "AND action IN ('profile.read', 'profile.denied') ORDER BY n"
            ),
            {"u": uscc},
        )
        return [(r[0], r[1]) for r in rows]


def _never_executed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any request that reaches the GraphQL executor."""

    async def refuse(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the executor ran a compiled document")

    monkeypatch.setattr(HubGraphQL, "execute_operation", refuse)


CASES = [
    (BENCH, lambda u: {"u": u}),
    (WIDE, lambda u: {"u": u, "p": "LENDING", "n": 2, "c": None}),
    (WIDE, lambda u: {"u": u, "p": "LENDING", "n": 50, "c": ["PENALTY", "TAX"]}),
    (NO_RECORDS, lambda u: {"u": u}),
    (UNCOVERED, lambda u: {"u": u}),
]


@pytest.mark.parametrize("case", range(len(CASES)))
async def test_compiled_answers_are_the_executors(
    hubs: tuple[Api, Api], case: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled, executor = hubs
    codes, bank = await _seed(compiled)
    token = compiled.client_token(bank)
    query, variables = CASES[case]
    expected = await _post(executor, query, variables(codes[0]), token)
    assert expected.status_code == 200
    assert "errors" not in expected.json(), expected.text
    _never_executed(monkeypatch)
    got = await _post(compiled, query, variables(codes[0]), token)
    assert got.status_code == 200
    assert got.headers["content-type"] == expected.headers["content-type"]
    assert _same(got.text) == _same(expected.text)
    # each read wrote its own audit row, counted against the consent
    assert await _audit_rows(compiled, codes[0]) == [("profile.read", "GRANTED")] * 2


async def test_literal_arguments_and_a_later_page(
    hubs: tuple[Api, Api], monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled, executor = hubs
    codes, bank = await _seed(compiled)
    token = compiled.client_token(bank)
    query = LITERAL % codes[1]
    expected = (await _post(executor, query, {}, token)).text
    _never_executed(monkeypatch)
    got = (await _post(compiled, query, {}, token)).text
    assert _same(got) == _same(expected)
    assert (
        json.loads(got)["data"]["creditProfile"]["records"]["pageInfo"]["hasNextPage"]
        is False
    )
    monkeypatch.undo()
    # a later page (after:) is the executor's: same answer from both hubs
    cursor = json.loads(
        (
            await _post(compiled, WIDE, {"u": codes[1], "p": "LENDING", "n": 1}, token)
        ).text
    )["data"]["profile"]["page"]["pageInfo"]["endCursor"]
    later = """query($u: USCC!, $a: String) {
      creditProfile(uscc: $u, purpose: LENDING) {
      records(first: 1, after: $a) { edges { node { id } } } } }"""
    a = await _post(compiled, later, {"u": codes[1], "a": cursor}, token)
    b = await _post(executor, later, {"u": codes[1], "a": cursor}, token)
    assert a.text == b.text and "errors" not in a.json()


@pytest.mark.parametrize(
    ("variables", "token_kind", "code"),
    [
        ({"u": "91410100MA00000000"}, "bank", "INVALID_USCC"),
        ({"u": 12}, "bank", "INVALID_USCC"),
        ({}, "bank", "VALIDATION_ERROR"),
        ("unseeded", "bank", "NOT_FOUND"),
        ("other", "bank", "CONSENT_REQUIRED"),
        ("seeded", None, "UNAUTHENTICATED"),
        ("seeded", "bad", "UNAUTHENTICATED"),
        ("seeded", "merchant", "FORBIDDEN"),
    ],
)
async def test_declined_requests_get_the_executors_errors(
    hubs: tuple[Api, Api], variables: Any, token_kind: str | None, code: str
) -> None:
    compiled, executor = hubs
    codes, bank = await _seed(compiled, 2)
    stranger = make_uscc(random.Random(99))
    if variables == "unseeded":
        variables = {"u": stranger}
    elif variables == "other":
        await compiled.entity(stranger)
        variables = {"u": stranger}
    elif variables == "seeded":
        variables = {"u": codes[0]}
    token: str | None = None
    if token_kind == "bank":
        token = compiled.client_token(bank)
    elif token_kind == "bad":
        token = "not-a-token"
    elif token_kind == "merchant":  # no profile:read scope
        token = compiled.client_token(await compiled.client(PrincipalKind.MERCHANT))
    bodies = []
    for api in (compiled, executor):
        r = await _post(api, BENCH, variables, token)
        bodies.append((r.status_code, _same(r.text)))
    assert bodies[0] == bodies[1]
    found = json.loads(bodies[0][1])
    assert found["errors"][0]["extensions"]["code"] == code, found
    if code == "CONSENT_REQUIRED":
        # the refusal was audited once per request, not once per path
        async with compiled.hub.engine.connect() as conn:
            denied = await conn.scalar(
                text("SELECT count(*) FROM audit_events WHERE outcome LIKE 'DENIED%'")
            )
        assert denied == 2


async def test_a_declined_request_is_counted_once_by_the_rate_limit(
    postgres_url: str,
    clock,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    from hub.db import migrate

    migrate(postgres_url)
    api, http = await make_api(postgres_url, clock, tmp_path, rate_limit_per_minute=6)
    try:
        codes, bank = await _seed(api, 1)
        token = api.client_token(bank)
        stranger = make_uscc(random.Random(5))
        statuses = []
        for i in range(8):
            # alternate answered and declined (refused by the door) reads
            u = codes[0] if i % 2 else stranger
            r = await _post(api, BENCH, {"u": u}, token)
            statuses.append(r.status_code)
        assert statuses == [200] * 6 + [429, 429], statuses
    finally:
        await http.aclose()
        await api.hub.aclose()


async def test_a_failure_after_the_read_is_coded_and_sends_no_data(
    hubs: tuple[Api, Api], monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled, _ = hubs
    codes, bank = await _seed(compiled, 1)
    token = compiled.client_token(bank)

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the source registry broke")

    monkeypatch.setattr("schema.profiles.pulls_due", broken)
    _never_executed(monkeypatch)
    r = await _post(compiled, BENCH, {"u": codes[0]}, token)
    body = r.json()
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "INTERNAL"
    assert error["path"] == ["creditProfile"]
    assert "registry" not in error["message"]
    # the read happened (and is on record) once; it is not run again
    assert await _audit_rows(compiled, codes[0]) == [("profile.read", "GRANTED")]


@pytest.mark.parametrize(
    ("query", "compiles"),
    [
        (BENCH, True),
        (WIDE, True),
        (NO_RECORDS, True),
        ("query { creditProfile(uscc: $u, purpose: LENDING) { auditEventId } }", False),
        (
            "query($u: USCC!) { creditProfile(uscc: $u, purpose: LENDING) "
            "{ auditEventId @include(if: true) } }",
            False,
        ),
        (
            "query($u: USCC!) { creditProfile(uscc: $u, purpose: LENDING) "
            "{ lists { kind } } }",
            False,
        ),
        (
            "query($u: USCC!) { creditProfile(uscc: $u, purpose: LENDING) "
            "{ consent { id } } }",
            False,
        ),
        (
            "query($u: USCC!) { a: creditProfile(uscc: $u, purpose: LENDING) "
            "{ auditEventId } b: creditProfile(uscc: $u, purpose: LENDING) "
            "{ auditEventId } }",
            False,
        ),
        (
            "query($u: USCC!) { creditProfile(uscc: $u, purpose: LENDING) "
            "{ a: records(first: 1) { totalCount } b: records(first: 2) "
            "{ totalCount } } }",
            False,
        ),
        (
            "query($u: [USCC!]!) { creditProfiles(usccs: $u, purpose: LENDING) "
            "{ ... on CreditProfile { auditEventId } } }",
            False,
        ),
        ("mutation { __typename }", False),
        ("{ creditProfile }", False),
    ],
)
def test_which_documents_compile(query: str, compiles: bool) -> None:
    plans = compiled_plans(False)
    assert (plans.get(query, None) is not None) is compiles
    # remembered either way
    assert (query, None) in plans._plans


ARGUMENT_CASES = [
    (BENCH, {"u": "914101004JURQ2830T"}),
    (WIDE, {"u": "914101004JURQ2830T", "p": "LENDING", "n": 3, "c": ["TAX"]}),
    (WIDE, {"u": "914101004JURQ2830T", "p": "GUARANTEE"}),  # $n, $c not given
    (WIDE, {"u": "914101004JURQ2830T", "p": "LENDING", "n": None, "c": None}),
    (
        """query($u: USCC! = "914101004JURQ2830T", $k: DataCategory! = TAX) {
        creditProfile(uscc: $u, purpose: INSURANCE) {
        records(categories: [$k, PENALTY]) { totalCount } } }""",
        {},
    ),
    (
        """query($u: USCC!, $f: Int = 7) { creditProfile(uscc: $u, purpose: LENDING)
        { records(first: $f) { totalCount } } }""",
        {"u": "914101004JURQ2830T"},
    ),
    (BENCH, {"u": "914101004JURQ2830X"}),  # a bad check digit: declined
    (BENCH, {"u": None}),
    (BENCH, {}),
]


@pytest.mark.parametrize("case", range(len(ARGUMENT_CASES)))
def test_arguments_are_coerced_as_the_executor_coerces_them(case: int) -> None:
    from graphql import get_argument_values, get_variable_values

    query, raw = ARGUMENT_CASES[case]
    plans = compiled_plans(False)
    plan = plans.get(query, None)
    assert plan is not None
    variables = get_variable_values(
        plans.schema, plan.operation.variable_definitions or (), dict(raw)
    )
    got = plan.arguments(raw)
    if isinstance(variables, list):
        assert got is None
        return
    assert got is not None
    root, nested = got
    assert root == get_argument_values(plan.field_def, plan.node, variables)
    for name in plan.field.nested:
        if name in plan.nested:
            field_def, node = plan.nested[name]
            assert nested[name] == get_argument_values(field_def, node, variables)
        else:
            assert nested[name] is None
