"""The cached client status: a suspension wins on every worker at once."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
from redis.asyncio import Redis

from hub.auth.authenticate import principal_from_request
from hub.auth.clients import client_service
from hub.auth.status import client_status, mark_suspended
from hub.auth.tokens import issue_access_token
from hub.backends.cache import RedisCache
from hub.db import session_scope
from hub.enums import PrincipalKind
from hub.errors import ErrorCode, HubError
from tests.auth.conftest import ADMIN


@pytest.fixture
async def redis_cache(redis_url):
    redis = Redis.from_url(redis_url)
    yield RedisCache(redis, prefix=f"test:{uuid.uuid4().hex}:")
    await redis.aclose()


def bearer(hub, client_id: str) -> str:
    token, _ = issue_access_token(
        hub.keys,
        hub.settings,
        hub.clock,
        sub=client_id,
        kind=PrincipalKind.BANK,
        scope="eligibility",
    )
    return f"Bearer {token}"


async def test_suspension_on_one_worker_refuses_on_another(hub, bank, redis_cache):
    # given two workers sharing the database and Redis
    worker_a = replace(hub, backends=replace(hub.backends, cache=redis_cache))
    worker_b = replace(
        hub,
        backends=replace(
            hub.backends, cache=RedisCache(redis_cache.redis, redis_cache.prefix)
        ),
    )
    header = bearer(hub, bank.client.id)
    # and worker A has just cached the bank as active
    assert (await principal_from_request(header, worker_a)).id == bank.client.id
    assert (await redis_cache.get(f"auth:client:{bank.client.id}")) is not None
    # when an admin suspends the bank through worker B
    async with session_scope(worker_b.sessionmaker) as s:
        await client_service.suspend(
            s, actor=ADMIN, clock=hub.clock, id=bank.client.id, cache=worker_b.cache
        )
    # then worker A refuses the bank's very next request
    with pytest.raises(HubError) as caught:
        await principal_from_request(header, worker_a)
    assert caught.value.code is ErrorCode.UNAUTHENTICATED


async def test_a_lookup_racing_a_suspension_cannot_cache_active(hub, bank, redis_cache):
    # given a suspension marked in the cache while its transaction is still
    # open (the database still says ACTIVE)
    await mark_suspended(redis_cache, bank.client.id, "BANK", "郑州银行")
    # when a request looks the client up
    found = await client_status(
        bank.client.id, cache=redis_cache, sessionmaker=hub.sessionmaker
    )
    # then it sees the suspension, and the cache still holds it
    assert found.active is False
    again = await client_status(
        bank.client.id, cache=redis_cache, sessionmaker=hub.sessionmaker
    )
    assert again.active is False


async def test_reactivation_is_seen_at_the_next_request(hub, bank):
    header = bearer(hub, bank.client.id)
    for action in (client_service.suspend, client_service.reactivate):
        async with session_scope(hub.sessionmaker) as s:
            await action(
                s, actor=ADMIN, clock=hub.clock, id=bank.client.id, cache=hub.cache
            )
    assert (await principal_from_request(header, hub)).id == bank.client.id
