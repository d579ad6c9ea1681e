"""Hostile HTTP bodies and methods get a coded GraphQL error, never a 5xx page."""

from __future__ import annotations

import pytest

from tests.api import Api

JSON = {"content-type": "application/json"}


def _coded(body: dict) -> set[str]:
    return {e["extensions"]["code"] for e in body["errors"]}


@pytest.mark.parametrize(
    "raw",
    [
        b'{"query": "{ __typename \xff\xfe }"}',  # not UTF-8 at all
        b'{"query": "{ __typename }", "x": "\xc3"}',  # truncated sequence
        b'{"query": "{ __typename }", "x": "\xed\xa0\x80"}',  # a surrogate
    ],
)
async def test_invalid_utf8_is_a_coded_400(sqlite_api: Api, raw: bytes) -> None:
    r = await sqlite_api.http.post("/graphql", content=raw, headers=JSON)
    assert r.status_code == 400
    assert _coded(r.json()) == {"VALIDATION_ERROR"}


async def test_json_nested_beyond_reason_is_a_coded_400(sqlite_api: Api) -> None:
    for depth in (40, 5000):
        deep = "[" * depth + "]" * depth
        raw = ('{"query": "{ __typename }", "variables": {"a": %s}}' % deep).encode()
        r = await sqlite_api.http.post("/graphql", content=raw, headers=JSON)
        assert r.status_code == 400, depth
        assert _coded(r.json()) == {"VALIDATION_ERROR"}


async def test_other_methods_are_a_coded_405(sqlite_api: Api) -> None:
    for method in ("PUT", "DELETE", "PATCH"):
        r = await sqlite_api.http.request(
            method, "/graphql", content=b'{"query": "{ __typename }"}', headers=JSON
        )
        assert r.status_code == 405, method
        assert r.headers["allow"] == "GET, POST"
        assert _coded(r.json()) == {"VALIDATION_ERROR"}
