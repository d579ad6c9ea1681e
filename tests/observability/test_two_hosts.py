"""Two ``xinyi-hub serve`` processes (two hosts) on one PostgreSQL and one
Redis: limits, revocations, webhooks, checkpoints and the chain stay exact."""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from hub.clock import SystemClock
from hub.db import migrate
from hub.enums import PrincipalKind
from hub.uscc import make_uscc
from tests.api import make_api
from tests.observability.serving import Served, free_port
from tests.servers import PostgresServer, RedisServer

LIMIT = 20
PROFILE = """query Profile($u: USCC!) { creditProfile(uscc: $u, purpose: LENDING) {
  entity { name } auditEventId } }"""
GRANT = """mutation Grant($i: GrantConsentInput!) { grantConsent(input: $i) { id } }"""
REVOKE = """mutation Revoke($id: ID!) { revokeConsent(id: $id) { status } }"""
REGISTER = """mutation Hook($i: WebhookInput!) { registerWebhook(input: $i) {
  webhook { id } secret } }"""


class Receiver:
    """A real HTTP webhook receiver that verifies and counts every message."""

    def __init__(self) -> None:
        self.port = free_port()
        self.ids: Counter[str] = Counter()
        self.types: list[str] = []
        self.hook: Webhook | None = None
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["content-length"]))
                assert receiver.hook is not None
                msg = receiver.hook.verify(body, dict(self.headers.items()))
                receiver.ids[self.headers["webhook-id"]] += 1
                receiver.types.append(msg["type"])
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()


@pytest.fixture
def hosts(
    pg_server: PostgresServer, redis_server: RedisServer, tmp_path: Path
) -> Iterator[tuple[str, Served, Served]]:
    url = pg_server.new_database()
    migrate(url)
    env = {
        "HUB_DATABASE_URL": url,
        "HUB_REDIS_URL": str(redis_server.url),
        "HUB_RATE_LIMIT_PER_MINUTE": str(LIMIT),
        "HUB_AUDIT_CHECKPOINT_SECONDS": "1",
        "HUB_EVENTS_POLL_SECONDS": "0.2",
        "HUB_WEBHOOK_ALLOW_PRIVATE": "true",
        "HUB_LOG_FORMAT": "json",
    }
    a = Served(tmp_path, env, name="host-a")
    b = Served(tmp_path, env, name="host-b")
    yield url, a, b
    a.stop()
    b.stop()


def gql(host: Served, query: str, variables: dict[str, Any], token: str) -> Any:
    r = host.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"authorization": f"Bearer {token}"},
    )
    return r.status_code, r.json()


async def setup(url: str, redis: str, tmp: Path, usccs: list[str]) -> Any:
    api, http = await make_api(url, SystemClock(), tmp, redis_url=redis)  # type: ignore[arg-type]
    for uscc in usccs:
        await api.entity(uscc)
    bank = await api.client(PrincipalKind.BANK, "郑州银行")
    busy = await api.client(PrincipalKind.BANK, "洛阳银行")
    subjects = {u: api.subject_token(u) for u in usccs}
    await http.aclose()
    await api.hub.aclose()
    return bank, busy, subjects


def test_two_hosts_stay_exact(
    hosts: tuple[str, Served, Served], redis_server: RedisServer, tmp_path: Path
) -> None:
    url, a, b = hosts
    rng = random.Random(17)
    usccs = list(dict.fromkeys(make_uscc(rng) for _ in range(6)))
    bank, busy, subjects = asyncio.run(
        setup(url, str(redis_server.url), tmp_path, usccs)
    )
    receiver = Receiver()
    try:
        _, body = gql(
            a,
            REGISTER,
            {
                "i": {
                    "url": f"http://127.0.0.1:{receiver.port}/hook",
                    "events": ["CONSENT_GRANTED", "CONSENT_REVOKED"],
                }
            },
            bank.token,
        )
        receiver.hook = Webhook(body["data"]["registerWebhook"]["secret"])

        # consents granted half on each host
        expires = (datetime.now(UTC) + timedelta(days=90)).isoformat()
        consents = {}
        for i, uscc in enumerate(usccs):
            host = (a, b)[i % 2]
            _, body = gql(
                host,
                GRANT,
                {
                    "i": {
                        "subject": uscc,
                        "granteeId": bank.id,
                        "purpose": "LENDING",
                        "categories": ["BASIC"],
                        "expiresAt": expires,
                    }
                },
                subjects[uscc],
            )
            consents[uscc] = body["data"]["grantConsent"]["id"]

        # a revocation on one host is in force on both at the next request
        first = usccs[0]
        for host in (a, b):
            _, body = gql(host, PROFILE, {"u": first}, bank.token)
            assert body["data"]["creditProfile"]["entity"]["name"]
        _, body = gql(a, REVOKE, {"id": consents[first]}, subjects[first])
        assert body["data"]["revokeConsent"]["status"] == "REVOKED"
        for host in (b, a):
            _, body = gql(host, PROFILE, {"u": first}, bank.token)
            assert body["errors"][0]["extensions"]["code"] == "CONSENT_REQUIRED"
        # revoked on host b, refused on host a
        _, body = gql(b, REVOKE, {"id": consents[usccs[1]]}, subjects[usccs[1]])
        assert body["data"]["revokeConsent"]["status"] == "REVOKED"
        _, body = gql(a, PROFILE, {"u": usccs[1]}, bank.token)
        assert body["errors"][0]["extensions"]["code"] == "CONSENT_REQUIRED"

        # the rate limit is one budget over both hosts
        statuses = Counter(
            gql((a, b)[i % 2], "{ __typename }", {}, busy.token)[0]
            for i in range(LIMIT + 10)
        )
        assert statuses == {200: LIMIT, 429: 10}

        # every consent event reaches the webhook exactly once
        want = len(usccs) + 2
        deadline = time.monotonic() + 60
        while sum(receiver.ids.values()) < want and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(2.0)  # room for a duplicate to show up, were there one
        assert sum(receiver.ids.values()) == want
        assert set(receiver.ids.values()) == {1}
        assert Counter(receiver.types) == {
            "CONSENT_GRANTED": len(usccs),
            "CONSENT_REVOKED": 2,
        }

        # both hosts publish checkpoints of one chain
        time.sleep(1.5)
        seen = [a.get("/audit/checkpoints?after=0").json()["checkpoints"] for _ in "ab"]
        assert (
            seen[0]
            and seen[0] == b.get("/audit/checkpoints?after=0").json()["checkpoints"]
        )
    finally:
        receiver.stop()
        a.stop()
        b.stop()
    # and the chain verifies to the latest checkpoint once both have stopped
    done = subprocess.run(
        [sys.executable, "-m", "hub.root.cli", "audit", "verify", "--json"],
        env={**os.environ, "HUB_DATABASE_URL": url},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    # 2 clients, 1 webhook, 6 grants, 2 reads + 3 refusals, 2 revocations
    assert (report["ok"], report["events"]) == (True, 16)
    # and each host's access log tells its own requests apart
    for host in (a, b):
        access = [
            json.loads(line)
            for line in host.logs().splitlines()
            if line.startswith("{") and '"hub.access"' in line
        ]
        assert access and all(e["request_id"] for e in access)
        assert any(e["status"] == 429 for e in access)
