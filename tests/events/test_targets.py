"""The SSRF guard: at registration, and again against DNS answers at delivery."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from hub.auth.sealing import generate_kek
from hub.clock import FrozenClock
from hub.errors import HubError
from hub.events.delivery import Attempt, send
from hub.events.dispatcher import dispatch_pending
from hub.events.targets import TargetPolicy, resolve
from hub.root.build import build_hub
from hub.settings import Settings
from tests.api import Api, make_api
from tests.events.helpers import USCC, bank, import_negative, register
from tests.events.receiver import Receiver

PRODUCTION = TargetPolicy(https_only=True, allow_private=False)
REGISTER = """mutation($i: WebhookInput!) { registerWebhook(input: $i) {
  webhook { url } } }"""


@pytest.mark.parametrize(
    "url",
    [
        "http://93.184.216.34/hook",  # not https
        "https://10.0.0.1/hook",  # private
        "https://192.168.1.20/hook",
        "https://127.0.0.1:8443/hook",  # loopback
        "https://localhost/hook",  # a name that resolves to loopback
        "https://169.254.169.254/latest/meta-data",  # link-local (cloud metadata)
        "https://[::1]/hook",
        "https://[fe80::1]/hook",
        "https://[::ffff:10.0.0.1]/hook",  # IPv4-mapped private
        "https://100.64.0.1/hook",  # shared address space
        "https://0.0.0.0/hook",
    ],
)
async def test_production_refuses(url: str) -> None:
    with pytest.raises(HubError) as refused:
        await resolve(url, PRODUCTION)
    assert refused.value.code == "VALIDATION_ERROR"


async def test_production_takes_public_https_and_pins_the_address() -> None:
    target = await resolve("https://93.184.216.34:8443/hooks/xinyi?x=1", PRODUCTION)
    assert target.pinned_url == "https://93.184.216.34:8443/hooks/xinyi?x=1"
    assert target.host_header == "93.184.216.34:8443"


async def test_private_targets_only_when_allowed() -> None:
    allowed = TargetPolicy(https_only=True, allow_private=True)
    assert (await resolve("https://10.0.0.1/hook", allowed)).address == "10.0.0.1"
    development = TargetPolicy.of(Settings(env="development"))
    assert (await resolve("http://127.0.0.1:9/hook", development)).scheme == "http"
    assert TargetPolicy.of(Settings(env="production")) == PRODUCTION
    assert TargetPolicy.of(
        Settings(env="production", webhook_allow_private=True)
    ) == TargetPolicy(https_only=True, allow_private=True)


@pytest.fixture
async def production_api(
    sqlite_url: str, tmp_path: Any, clock: FrozenClock
) -> AsyncIterator[Api]:
    from hub.db import migrate
    from hub.root.app import create_app

    migrate(sqlite_url)
    s = Settings(
        database_url=sqlite_url, key_encryption_key=generate_kek(), env="production"
    )
    hub = await build_hub(s, clock)
    http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(s, hub=hub)),
        base_url="http://hub",
    )
    yield Api(hub, http)
    await http.aclose()
    await hub.aclose()


async def test_production_registration_of_a_private_address_is_refused(
    production_api: Api,
) -> None:
    api = production_api
    monitor = await bank(api, "郑州银行")
    for url in ("https://10.1.2.3/hook", "https://localhost/hook", "http://8.8.8.8/"):
        body = await api.gql(REGISTER, {"i": {"url": url, "events": []}}, monitor.token)
        assert body["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR", url
        assert body["data"] is None
    ok = await api.data(
        REGISTER, {"i": {"url": "https://8.8.8.8/hook", "events": []}}, monitor.token
    )
    assert ok["registerWebhook"]["webhook"]["url"] == "https://8.8.8.8/hook"
    assert (await api.data("{ webhooks { url } }", None, monitor.token))[
        "webhooks"
    ] == [{"url": "https://8.8.8.8/hook"}]


async def test_delivery_checks_dns_answers_again(receiver: Receiver) -> None:
    # a name the endpoint registered under, which (now) resolves to loopback
    url = receiver.url.replace("127.0.0.1", "localhost")
    attempt = Attempt("d1", "msg_1", "{}", url, "whsec_" + "A" * 32, 0, "c1")
    now = datetime.now(UTC)
    async with httpx.AsyncClient() as http:
        guarded = TargetPolicy(https_only=False, allow_private=False)
        refused = await send(http, attempt, guarded, sent_at=now, timeout=5)
        assert not refused.delivered and refused.status is None
        assert refused.error is not None and "resolves to" in refused.error
        assert receiver.count() == 0
        # the same message where private targets are allowed goes through
        open_ = TargetPolicy(https_only=False, allow_private=True)
        sent = await send(http, attempt, open_, sent_at=now, timeout=5)
    assert (sent.delivered, sent.status) == (True, 200)
    [got] = await receiver.wait_for(1)
    assert got.headers["host"] == f"localhost:{receiver.port}"


async def test_a_production_dispatcher_refuses_a_development_registration(
    sqlite_url: str, tmp_path: Any, clock: FrozenClock, receiver: Receiver
) -> None:
    # given a webhook registered in development to a loopback endpoint
    from hub.db import migrate

    migrate(sqlite_url)
    dev, http = await make_api(sqlite_url, clock, tmp_path)
    try:
        await import_negative(dev, "P-0", severity="NONE", title="行政许可")
        monitor = await bank(dev, "郑州银行")
        await dev.grant(USCC, monitor, "MONITORING", ["BASIC", "PENALTY"])
        await register(dev, monitor, receiver.url)
        await import_negative(dev, "P-1", entity=False)
    finally:
        await http.aclose()
        await dev.hub.aclose()
    # when a production worker delivers it
    s = Settings(
        database_url=sqlite_url, key_encryption_key=generate_kek(), env="production"
    )
    prod = await build_hub(s, clock)
    try:
        report = await dispatch_pending(prod)
    finally:
        await prod.aclose()
    # then the attempt is refused before any connection is made
    assert (report.routed, report.delivered, report.retrying) == (1, 0, 1)
    assert receiver.count() == 0
