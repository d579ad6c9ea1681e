"""A dispatcher killed mid-delivery loses nothing; two workers never send one
attempt twice.  Real processes: ``xinyi-hub events dispatch`` and ``serve``."""

from __future__ import annotations

import asyncio
import collections
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select, update

from hub.auth.clients import client_service
from hub.auth.principal import SYSTEM, Principal
from hub.consent.service import GrantRequest
from hub.consent.service import grant as grant_consent
from hub.db import session_scope
from hub.enums import DataCategory, PrincipalKind, Purpose
from hub.events import webhooks
from hub.importer.service import import_rows
from hub.models import OutboxEvent, WebhookDelivery
from hub.resources import Hub
from hub.root.build import build_hub
from hub.settings import Settings
from tests.events.helpers import USCC
from tests.events.receiver import Receiver
from tests.servers import _free_port


def _record(n: int, today: Any) -> dict[str, Any]:
    return {
        "type": "record",
        "uscc": USCC,
        "source": "market-regulation",
        "source_id": f"P-{n}",
        "category": "PENALTY",
        "kind": "ADMIN_PENALTY",
        "severity": "ORDINARY",
        "title": f"罚款 {n} 万元",
        "decided_on": today.isoformat(),
        "publish_from": today.isoformat(),
        "publish_until": today.replace(year=today.year + 1).isoformat(),
    }


async def _given(hub: Hub, url: str) -> str:
    """An enterprise monitored by a bank with a webhook; the webhook's secret."""
    entity = {
        "type": "entity",
        "uscc": USCC,
        "name": "郑州示范科技有限公司",
        "kind": "ENTERPRISE",
        "region_code": "410100",
        "status": "存续",
    }
    await import_rows(hub.sessionmaker, [entity], hub.clock)
    async with session_scope(hub.sessionmaker) as s:
        creds = await client_service.create(
            s, actor=SYSTEM, clock=hub.clock, kind=PrincipalKind.BANK, name="郑州银行"
        )
    bank = Principal(id=creds.client.id, kind=PrincipalKind.BANK, name="郑州银行")
    subject = Principal(
        id=USCC, kind=PrincipalKind.SUBJECT, name=USCC, uscc=USCC, scopes=("subject",)
    )
    async with session_scope(hub.sessionmaker) as s:
        await grant_consent(
            s,
            hub,
            subject,
            GrantRequest(
                subject=USCC,
                grantee_id=bank.id,
                purpose=Purpose.MONITORING,
                categories=(DataCategory.BASIC, DataCategory.PENALTY),
                expires_at=hub.clock.now() + timedelta(days=90),
            ),
        )
        _, secret = await webhooks.register(s, hub, bank, url=url, events=[])
    async with session_scope(hub.sessionmaker) as s:
        # The grant's own announcement is not what this test is about.
        await s.execute(
            update(OutboxEvent)
            .where(OutboxEvent.type.like("CONSENT_%"))
            .values(routed_at=hub.clock.now())
        )
    return secret


async def _deliveries(hub: Hub) -> list[WebhookDelivery]:
    async with hub.sessionmaker() as s:
        return list(await s.scalars(select(WebhookDelivery)))


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    out = log.open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "hub.root.cli", *args],
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )


async def _until(check: Any, what: str, timeout: float = 60) -> None:
    """Wait for ``check()`` (a safety net against hanging, not a timing test)."""
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def test_killed_dispatcher_resumes_without_loss(
    db_url: str, tmp_path: Path, receiver: Receiver
) -> None:
    settings = Settings(database_url=db_url)
    hub = await build_hub(settings)
    env = {
        **os.environ,
        "HUB_DATABASE_URL": db_url,
        "HUB_ENV": "development",
        "HUB_WEBHOOK_TIMEOUT": "30",
        "HUB_WEBHOOK_CLAIM_SECONDS": "2",
        "HUB_EVENTS_POLL_SECONDS": "0.1",
    }
    procs: list[subprocess.Popen[bytes]] = []
    try:
        secret = await _given(hub, receiver.url)
        today = hub.clock.today()
        await import_rows(
            hub.sessionmaker, [_record(n, today) for n in (1, 2, 3)], hub.clock
        )

        # given a dispatcher process sending three messages to an endpoint that
        # keeps the requests open …
        receiver.holding = True
        first = _start(["events", "dispatch"], env, tmp_path / "first.log")
        procs.append(first)
        await receiver.wait_for(3, timeout=60)
        # … when it is killed mid-delivery
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        held = await _deliveries(hub)
        assert (
            sorted((d.attempts, d.delivered_at, d.claim is not None) for d in held)
            == [(1, None, True)] * 3
        )
        # and two more events are committed while no dispatcher runs
        await import_rows(
            hub.sessionmaker, [_record(n, today) for n in (4, 5)], hub.clock
        )
        receiver.holding = False

        # then two other workers — a dispatcher and a server — take over
        port = _free_port()
        procs.append(_start(["events", "dispatch"], env, tmp_path / "second.log"))
        procs.append(
            _start(["serve", "--port", str(port)], env, tmp_path / "serve.log")
        )

        async def all_delivered() -> bool:
            rows = await _deliveries(hub)
            return len(rows) == 5 and all(d.delivered_at is not None for d in rows)

        async def serving() -> bool:
            try:
                async with httpx.AsyncClient() as http:
                    r = await http.get(f"http://127.0.0.1:{port}/readyz")
                    return r.status_code == 200
            except httpx.HTTPError:
                return False

        await _until(all_delivered, "all five messages delivered")
        await _until(serving, "the server answering")
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:  # pragma: no cover
                p.kill()
        rows = await _deliveries(hub)
        await hub.aclose()

    # nothing was lost: every message arrived, signed, the interrupted ones
    # twice with the same webhook-id, the others once — no attempt twice
    got = receiver.received
    for r in got:
        r.verify(secret)
    times = collections.Counter(r.webhook_id for r in got)
    attempts = {d.message_id: d.attempts for d in rows}
    interrupted = {d.message_id for d in held}
    assert len(times) == 5
    assert {m: times[m] for m in interrupted} == {m: 2 for m in interrupted}
    assert {m: n for m, n in times.items() if m not in interrupted} == {
        m: 1 for m in times if m not in interrupted
    }
    assert attempts == {m: times[m] for m in times}
    assert [r.verify(secret)["data"]["record"]["title"] for r in got[-5:]].count(
        "罚款 4 万元"
    ) == 1
