"""With Redis or the database away: 503 at the token endpoint, coded INTERNAL in
GraphQL, never a bare 500, and one log line a minute instead of a traceback
per request."""

from __future__ import annotations

import logging
import socket
from typing import Any

import pytest

from hub.db import create_engine, migrate
from hub.enums import PrincipalKind
from tests.api import Api, make_api

ME = "{ me { id } }"
USCC = "91350100M000100Y43"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens once it is closed


def _outage_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


async def _token_request(api: Api, client_id: str, secret: str) -> Any:
    return await api.http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(client_id, secret),
    )


def _unavailable_token_answer(r: Any) -> None:
    assert r.status_code == 503, r.text
    assert r.headers["retry-after"] == "30"
    body = r.json()
    assert body["error"] == "temporarily_unavailable"
    assert body["error_description"]


def _coded_graphql_answer(r: Any) -> None:
    assert r.status_code == 503, r.text
    assert r.headers["retry-after"] == "30"
    errors = r.json()["errors"]
    assert [e["extensions"]["code"] for e in errors] == ["INTERNAL"]
    assert "Traceback" not in r.text


async def test_redis_away(
    sqlite_url: str, clock: Any, tmp_path: Any, caplog: pytest.LogCaptureFixture
) -> None:
    migrate(sqlite_url)
    redis_url = f"redis://127.0.0.1:{_closed_port()}/0"
    api, http = await make_api(sqlite_url, clock, tmp_path, redis_url=redis_url)
    try:
        bank = await api.client(PrincipalKind.BANK)
        caplog.set_level(logging.INFO)
        caplog.clear()
        for _ in range(3):
            _unavailable_token_answer(
                await _token_request(api, bank.client_id, bank.client_secret)
            )
            auth = {"authorization": f"Bearer {bank.token}"}
            _coded_graphql_answer(
                await http.post("/graphql", json={"query": ME}, headers=auth)
            )
            _coded_graphql_answer(
                await http.post("/graphql", json={"query": "{ __typename }"})
            )
        lines = _outage_lines(caplog)
        assert [r.getMessage().split(":")[0] for r in lines] == ["redis unavailable"]
        assert all(r.exc_info is None for r in caplog.records)
    finally:
        await http.aclose()
        await api.hub.aclose()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_database_away(
    request: pytest.FixtureRequest,
    clock: Any,
    tmp_path: Any,
    caplog: pytest.LogCaptureFixture,
    backend: str,
) -> None:
    url = request.getfixturevalue(f"{backend}_url")
    migrate(url)
    api, http = await make_api(url, clock, tmp_path)
    gone = create_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{_closed_port()}/x")
    try:
        await api.entity(USCC)
        bank = await api.client(PrincipalKind.BANK)
        admin = await api.client(PrincipalKind.ADMIN)
        subject = api.subject_token(USCC)
        # The fault: the database stops answering (its address goes dark).
        api.hub.sessionmaker.configure(bind=gone)
        caplog.set_level(logging.INFO)
        caplog.clear()
        for _ in range(3):
            _unavailable_token_answer(
                await _token_request(api, bank.client_id, bank.client_secret)
            )
            auth = {"authorization": f"Bearer {admin.token}"}
            clients = {"query": "{ clients { totalCount } }"}
            _coded_graphql_answer(
                await http.post("/graphql", json=clients, headers=auth)
            )
            # a subject's token needs no lookup: the failure is in the resolver
            log = {"query": '{ accessLog(uscc: "%s") { totalCount } }' % USCC}
            auth = {"authorization": f"Bearer {subject}"}
            r = await http.post("/graphql", json=log, headers=auth)
            _coded_graphql_answer(r)
        lines = _outage_lines(caplog)
        assert [r.getMessage().split(":")[0] for r in lines] == ["database unavailable"]
        assert all(r.exc_info is None for r in caplog.records)
    finally:
        await gone.dispose()
        await http.aclose()
        await api.hub.aclose()
