"""Refused before execution: HTTP 429 with Retry-After and a GraphQL body;
requests without a valid token are limited per client address."""

from __future__ import annotations

from typing import Any

import httpx

from hub.enums import PrincipalKind
from hub.root.app import create_app
from tests.api import make_api

ME = {"query": "{ me { id } }"}
TYPENAME = {"query": "{ __typename }"}


def _client(app: Any, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://hub")


def _refused(r: httpx.Response) -> None:
    assert r.status_code == 429, r.text
    assert 1 <= int(r.headers["retry-after"]) <= 60
    [error] = r.json()["errors"]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert 0 < error["extensions"]["retryAfter"] <= 60


async def test_a_principal_over_its_limit_gets_429(
    sqlite_url: str, clock: Any, tmp_path: Any
) -> None:
    from hub.db import migrate

    migrate(sqlite_url)
    api, http = await make_api(sqlite_url, clock, tmp_path, rate_limit_per_minute=2)
    try:
        bank = await api.client(PrincipalKind.BANK)
        auth = {"authorization": f"Bearer {bank.token}"}
        for _ in range(2):
            r = await http.post("/graphql", json=ME, headers=auth)
            assert r.status_code == 200 and "errors" not in r.json()
        _refused(await http.post("/graphql", json=ME, headers=auth))
        # the same under the GraphQL-over-HTTP media type
        accept = {**auth, "accept": "application/graphql-response+json"}
        _refused(await http.post("/graphql", json=ME, headers=accept))
    finally:
        await http.aclose()
        await api.hub.aclose()


async def test_requests_without_a_token_are_limited_per_address(
    sqlite_url: str, clock: Any, tmp_path: Any
) -> None:
    from hub.db import migrate

    migrate(sqlite_url)
    api, http = await make_api(
        sqlite_url, clock, tmp_path, anonymous_rate_limit_per_minute=3
    )
    await http.aclose()
    app = create_app(api.hub.settings, hub=api.hub)
    try:
        async with (
            _client(app, "198.51.100.7") as one,
            _client(app, "203.0.113.9") as two,
        ):
            for _ in range(3):
                assert (await one.post("/graphql", json=TYPENAME)).status_code == 200
            _refused(await one.post("/graphql", json=TYPENAME))
            # a bad token is no token: counted the same
            bad = {"authorization": "Bearer not.a.token"}
            _refused(await one.post("/graphql", json=ME, headers=bad))
            # another address has its own allowance
            r = await two.post("/graphql", json=TYPENAME)
            assert r.json() == {"data": {"__typename": "Query"}}
    finally:
        await api.hub.aclose()
