"""Fuzzing /graphql and /oauth/token with hostile requests (bounded, in CI).

Whatever arrives — bytes that are not UTF-8, JSON nested thousands deep, huge
numbers, cursors made by hand, the wrong content type or method, or queries
generated from the schema itself (valid and invalid, hypothesis-graphql) —
the answer is never a 5xx, never carries a traceback, and every error in it
has an ``extensions.code``.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema, nodes

from hub.clock import FrozenClock
from hub.db import migrate
from hub.enums import PrincipalKind
from schema import get_schema
from tests.api import make_api

USCC = "91350100M000100Y43"
# Per test: bounded, so the suite stays fast; HUB_FUZZ_EXAMPLES=2000 digs deeper.
EXAMPLES = int(os.environ.get("HUB_FUZZ_EXAMPLES", "120"))

# -- hostile pieces ----------------------------------------------------------

FIELDS_WITH_CURSORS = [
    'creditProfile(uscc: "%s", purpose: LENDING) { records(after: $a) { totalCount } }'
    % USCC,
    'accessLog(uscc: "%s", after: $a) { totalCount }' % USCC,
    "auditEvents(after: $a) { totalCount }",
    "consents(after: $a) { totalCount }",
    "clients(after: $a) { totalCount }",
]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _nested(depth: int, open_: str = "[", close: str = "]") -> str:
    return open_ * depth + close * depth


json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
)
cursor_texts = st.one_of(
    st.builds(lambda d: _b64(_nested(d).encode()), st.integers(1, 5000)),
    st.builds(lambda n: _b64(json.dumps([n]).encode()), st.integers(2**62, 2**70)),
    st.builds(
        lambda v: _b64(json.dumps(v).encode()),
        st.lists(json_scalars, max_size=4),
    ),
    st.builds(_b64, st.binary(max_size=80)),
    st.text(max_size=300),
)
huge_numbers = st.sampled_from(
    ["1e308", "1e309", "-1e400", "9" * 400, "1" + "0" * 5000, "-0", "1e-400"]
)
content_types = st.sampled_from(
    [
        None,
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/graphql",
        "application/json; charset=latin-1",
        "application/xml",
        "*/*",
    ]
)
methods = st.sampled_from(["PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"])


@dataclass
class Hostile:
    """One request: method, path, headers and raw body."""

    method: str = "POST"
    path: str = "/graphql"
    body: bytes = b""
    headers: dict[str, str] = field(
        default_factory=lambda: {"content-type": "application/json"}
    )
    params: dict[str, str] | None = None


def _with_invalid_utf8(data: tuple[bytes, int]) -> Hostile:
    junk, at = data
    body = b'{"query": "{ __typename }", "variables": {"x": "'
    body += junk[:at] + b"\xff\xfe\xc3" + junk[at:] + b'"}}'
    return Hostile(body=body)


def _deep_variables(depth: int, obj: bool) -> Hostile:
    inner = _nested(depth, '{"a":', "}").replace('{"a":}', '{"a":1}') if obj else None
    value = inner if obj else _nested(depth)
    body = '{"query": "query($v: JSON) { __typename }", "variables": {"v": %s}}' % value
    return Hostile(body=body.encode())


def _huge_number(number: str, amount: bool) -> Hostile:
    if amount:
        query = (
            'mutation { recordOutcome(input: {decisionId: "x", result: "LOAN_GRANTED",'
            " amount: %s}) { id } }" % number
        )
        return Hostile(body=json.dumps({"query": query}).encode())
    body = '{"query": "query($f: Int) { consents(first: $f) { totalCount } }",'
    body += ' "variables": {"f": %s}}' % number
    return Hostile(body=body.encode())


def _cursor(field_: str, cursor: str) -> Hostile:
    query = "query($a: String) { %s }" % field_
    return Hostile(
        body=json.dumps({"query": query, "variables": {"a": cursor}}).encode()
    )


def _content_type(ctype: str | None, raw: bytes) -> Hostile:
    headers = {} if ctype is None else {"content-type": ctype}
    return Hostile(body=raw, headers=headers)


def _method(method: str) -> Hostile:
    return Hostile(method=method, body=b'{"query": "{ __typename }"}')


def _token_form(raw: bytes, ctype: str | None) -> Hostile:
    headers = {} if ctype is None else {"content-type": ctype}
    return Hostile(path="/oauth/token", body=raw, headers=headers)


def _get_query(query: str, variables: str) -> Hostile:
    return Hostile(
        method="GET", headers={}, params={"query": query, "variables": variables}
    )


hostile_requests = st.one_of(
    st.builds(
        _with_invalid_utf8, st.tuples(st.binary(max_size=60), st.integers(0, 60))
    ),
    st.builds(_deep_variables, st.integers(1, 3000), st.booleans()),
    st.builds(_huge_number, huge_numbers, st.booleans()),
    st.builds(_cursor, st.sampled_from(FIELDS_WITH_CURSORS), cursor_texts),
    st.builds(_content_type, content_types, st.binary(max_size=200)),
    st.builds(_method, methods),
    st.builds(lambda raw: Hostile(body=raw), st.binary(max_size=300)),
    st.builds(
        _token_form,
        st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode)),
        st.sampled_from([None, "application/x-www-form-urlencoded", "text/plain"]),
    ),
    st.builds(
        _get_query,
        st.text(alphabet=string.printable, max_size=200),
        st.text(max_size=100),
    ),
)

# -- the schema's own queries, valid and not ----------------------------------

_SCALARS = {
    "USCC": st.one_of(st.just(USCC), st.text(max_size=20)).map(nodes.String),
    "DateTime": st.sampled_from(
        ["2026-11-23T09:00:00+00:00", "2026-13-01T00:00:00", "x", ""]
    ).map(nodes.String),
    "Date": st.sampled_from(["2026-11-23", "2026-02-30", "0001-01-01", "x"]).map(
        nodes.String
    ),
    "JSON": st.text(max_size=20).map(nodes.String),
}
SDL = get_schema(False).as_str()


def _schema_queries(mode: Mode) -> st.SearchStrategy[Any]:
    return from_schema(SDL, custom_scalars=_SCALARS, mode=mode)


# -- the checks ----------------------------------------------------------------


def _errors(body: Any) -> Iterator[dict[str, Any]]:
    if isinstance(body, dict):
        yield from body.get("errors") or []
    elif isinstance(body, list):  # a batch
        for item in body:
            yield from _errors(item)


def _check(r: httpx.Response, *, internal_allowed: bool = False) -> None:
    assert r.status_code < 500, (r.status_code, r.text[:500])
    assert "Traceback" not in r.text, r.text[:500]
    if not r.content:
        return
    try:
        body = r.json()
    except ValueError:
        pytest.fail(f"not JSON: {r.status_code} {r.text[:200]!r}")
    if r.request.url.path == "/oauth/token":
        if r.status_code >= 400:
            assert isinstance(body.get("error"), str), body
        return
    for error in _errors(body):
        code = (error.get("extensions") or {}).get("code")
        assert code, error
        assert internal_allowed or code != "INTERNAL", error


# -- the hub under fire --------------------------------------------------------


@pytest.fixture(scope="module")
def hub_under_fire(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One hub for all examples (an event loop of its own, outside pytest-asyncio)."""
    tmp = Path(tmp_path_factory.mktemp("fuzz"))
    url = f"sqlite+aiosqlite:///{tmp}/hub.db"
    migrate(url)
    loop = asyncio.new_event_loop()
    clock = FrozenClock(datetime(2026, 11, 23, 9, tzinfo=UTC))
    unlimited = {
        "rate_limit_per_minute": 10**6,
        "anonymous_rate_limit_per_minute": 10**6,
        "token_rate_limit_per_minute": 10**6,
    }
    api, http = loop.run_until_complete(make_api(url, clock, tmp, **unlimited))

    async def people() -> dict[str, str]:
        await api.entity(USCC)
        bank = await api.client(PrincipalKind.BANK)
        admin = await api.client(PrincipalKind.ADMIN)
        await api.grant(USCC, bank, "LENDING", ["BASIC", "TAX"])
        return {
            "bank": bank.token,
            "admin": admin.token,
            "subject": api.subject_token(USCC),
        }

    tokens = loop.run_until_complete(people())

    def send(h: Hostile, who: str | None = None) -> httpx.Response:
        headers = dict(h.headers)
        if who is not None:
            headers["authorization"] = f"Bearer {tokens[who]}"
        return loop.run_until_complete(
            http.request(
                h.method,
                h.path,
                content=h.body or None,
                headers=headers,
                params=h.params,
            )
        )

    yield send
    loop.run_until_complete(http.aclose())
    loop.run_until_complete(api.hub.aclose())
    loop.close()


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)


@FUZZ
@given(
    request=hostile_requests, who=st.sampled_from([None, "bank", "admin", "subject"])
)
def test_hostile_requests(
    hub_under_fire: Callable[..., httpx.Response], request: Hostile, who: str | None
) -> None:
    _check(hub_under_fire(request, who))


@FUZZ
@given(
    query=_schema_queries(Mode.POSITIVE),
    who=st.sampled_from(["bank", "admin", "subject"]),
)
def test_queries_the_schema_allows(
    hub_under_fire: Callable[..., httpx.Response], query: str, who: str
) -> None:
    body = json.dumps({"query": query}).encode()
    _check(hub_under_fire(Hostile(body=body), who))


@FUZZ
@given(query=_schema_queries(Mode.NEGATIVE), who=st.sampled_from([None, "bank"]))
def test_queries_the_schema_refuses(
    hub_under_fire: Callable[..., httpx.Response], query: str, who: str | None
) -> None:
    body = json.dumps({"query": query}).encode()
    _check(hub_under_fire(Hostile(body=body), who))
