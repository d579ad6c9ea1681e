"""Logs: one JSON object per line, the request's id on every line, no secrets."""

from __future__ import annotations

import base64
import io
import json
import logging
from collections.abc import Iterator

import httpx
import pytest

from hub.enums import PrincipalKind
from hub.logs import configure_logging
from hub.request_log import RequestLog, request_id
from tests.api import Api

USCC = "91350100M000100Y43"
PROFILE = """query Profile($u: USCC!) { creditProfile(uscc: $u, purpose: LENDING) {
  entity { name } auditEventId } }"""
REGISTER = """mutation Hook($i: WebhookInput!) { registerWebhook(input: $i) {
  webhook { id } secret } }"""


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    out = io.StringIO()
    configure_logging("json", "INFO", stream=out)
    yield out
    for h in [h for h in logging.getLogger().handlers if h.get_name() == "hub"]:
        logging.getLogger().removeHandler(h)


def lines(out: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.getvalue().splitlines() if line]


def test_a_request_id_is_taken_only_when_safe() -> None:
    assert request_id(b"abc-123.X:y_z") == "abc-123.X:y_z"
    for bad in (b"", b"a" * 129, b"x y", b"<script>", "ü".encode(), b"a\nb"):
        made = request_id(bad)
        assert made != bad.decode("utf-8", "replace") and len(made) == 32
    assert len(request_id(None)) == 32


async def test_access_line_names_request_principal_operation_and_audit_events(
    api: Api, captured: io.StringIO
) -> None:
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    await api.grant(USCC, bank, "LENDING", ["BASIC"])
    captured.truncate(0)
    captured.seek(0)
    # when a bank reads a profile with its own request id
    r = await api.http.post(
        "/graphql",
        json={"query": PROFILE, "variables": {"u": USCC}},
        headers={"authorization": f"Bearer {bank.token}", "x-request-id": "req-42"},
    )
    event_id = r.json()["data"]["creditProfile"]["auditEventId"]
    # then the id is echoed, and the access line tells who, what and which event
    assert r.headers["x-request-id"] == "req-42"
    (access,) = [e for e in lines(captured) if e["logger"] == "hub.access"]
    assert access["event"] == "request"
    assert access["request_id"] == "req-42"
    assert access["principal"] == bank.id
    assert access["operation"] == "Profile"
    assert access["audit_events"] == [event_id]
    assert (access["method"], access["path"], access["status"]) == (
        "POST",
        "/graphql",
        200,
    )
    assert isinstance(access["duration_ms"], float) and access["level"] == "info"
    # and the variables of the query are nowhere in the log
    assert USCC not in captured.getvalue()


async def test_a_bad_request_id_is_replaced_and_echoed(
    api: Api, captured: io.StringIO
) -> None:
    r = await api.http.get("/healthz", headers={"x-request-id": "bad id\twith tab"})
    rid = r.headers["x-request-id"]
    assert rid != "bad id\twith tab" and len(rid) == 32
    (access,) = [e for e in lines(captured) if e["logger"] == "hub.access"]
    assert access["request_id"] == rid and access["principal"] is None


async def test_every_line_written_during_a_request_carries_its_id(
    captured: io.StringIO,
) -> None:
    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        logging.getLogger("hub.somewhere").warning("inside %s", "the request")
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=RequestLog(app)), base_url="http://h"
    ) as http:
        await http.get("/x", headers={"X-Request-ID": "r-1"})
        await http.get("/y")
    got = lines(captured)
    inside = [e for e in got if e["logger"] == "hub.somewhere"]
    assert [e["event"] for e in inside] == ["inside the request"] * 2
    assert inside[0]["request_id"] == "r-1"
    assert inside[1]["request_id"] not in ("r-1", None)
    assert all(e["timestamp"] for e in got)
    # outside any request, nothing is bound
    logging.getLogger("hub.somewhere").warning("after")
    assert "request_id" not in lines(captured)[-1]


async def test_no_token_or_secret_reaches_the_log(
    api: Api, captured: io.StringIO
) -> None:
    bank = await api.client(PrincipalKind.BANK)
    secrets: list[str] = [bank.client_secret, bank.token]
    # token issuance with the client's secret (HTTP Basic and form body)
    basic = base64.b64encode(f"{bank.client_id}:{bank.client_secret}".encode())
    r = await api.http.post(
        "/oauth/token",
        content="grant_type=client_credentials",
        headers={
            "Authorization": f"Basic {basic.decode()}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert r.status_code == 200
    secrets += [r.json()["access_token"], basic.decode()]
    r = await api.http.post(
        "/oauth/token?client_secret=" + bank.client_secret,
        data={
            "grant_type": "client_credentials",
            "client_id": bank.client_id,
            "client_secret": bank.client_secret,
        },
    )
    secrets.append(r.json().get("access_token", bank.client_secret))
    # a bearer request that registers a webhook (its secret is shown once)
    hook = await api.data(
        REGISTER,
        {"i": {"url": "http://127.0.0.1:9/hook", "events": []}},
        bank.token,
    )
    secrets.append(hook["registerWebhook"]["secret"])
    # a refused bearer token and a token in the query string
    await api.http.post(
        "/graphql?access_token=" + bank.token,
        json={"query": "{ __typename }"},
        headers={"authorization": f"Bearer {bank.token}x"},
    )
    # a report's verify link: its id opens it without a token
    await api.http.get("/reports/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789")
    # and a line that carries a secret by mistake is masked too
    logging.getLogger("hub.test").error(
        "calling https://user:%s@db/x with %s", bank.client_secret, bank.token
    )
    text = captured.getvalue()
    assert text.count("hub.access") >= 5
    for secret in secrets:
        assert secret not in text
    assert "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789" not in text
    assert "/reports/AbCdEf" in text
