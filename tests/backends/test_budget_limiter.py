"""Rate limits counted a budget at a time per worker, over real Redis: exact
within the stated tolerance across workers, and most requests make no round
trip."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from hub.backends import BudgetRateLimiter, RedisRateLimiter
from tests.backends.conftest import Tick


class Counting(RedisRateLimiter):
    calls = 0

    async def take(self, *args: object, **kw: object) -> tuple[int, float]:
        Counting.calls += 1
        return await super().take(*args, **kw)  # type: ignore[arg-type]


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[tuple[Redis, str]]:
    prefix = f"test:{uuid.uuid4().hex[:10]}:rate:"
    r = Redis.from_url(redis_url)
    yield r, prefix
    keys = [k async for k in r.scan_iter(match=prefix + "*")]
    if keys:
        await r.delete(*keys)
    await r.aclose()


async def test_two_workers_allow_the_limit_within_the_tolerance(
    redis: tuple[Redis, str],
) -> None:
    r, prefix = redis
    Counting.calls = 0
    limit, workers = 1000, 2
    a = BudgetRateLimiter(Counting(r, prefix=prefix), monotonic=Tick())
    b = BudgetRateLimiter(Counting(r, prefix=prefix), monotonic=Tick())
    n = limit // 100
    room = limit - workers * n  # hits that can never find the window full
    for i in range(room):
        assert (await (a if i % 3 else b).hit("client", limit, 60.0))[0]
    # a round trip per budget of n, not per request
    assert Counting.calls <= room // n + workers
    allowed = room
    for i in range(room, 3 * limit):
        ok, retry_after = await (a if i % 3 else b).hit("client", limit, 60.0)
        allowed += ok
        if not ok:
            assert 0 < retry_after <= 60.0
    # never more than the limit within one window; short of it by at most the
    # slots the workers hold unspent
    assert limit - workers * (n - 1) <= allowed <= limit
    assert await r.llen(prefix + "client") == limit


async def test_small_limits_stay_exact(redis: tuple[Redis, str]) -> None:
    r, prefix = redis
    a = BudgetRateLimiter(RedisRateLimiter(r, prefix=prefix), monotonic=Tick())
    b = BudgetRateLimiter(RedisRateLimiter(r, prefix=prefix), monotonic=Tick())
    results = [await (a if i % 2 else b).hit("token", 60, 60.0) for i in range(90)]
    assert sum(ok for ok, _ in results) == 60
    assert all(ok for ok, _ in results[:60])


async def test_a_spent_budget_is_taken_again_and_refused_when_full(
    redis: tuple[Redis, str],
) -> None:
    r, prefix = redis
    tick = Tick()
    a = BudgetRateLimiter(RedisRateLimiter(r, prefix=prefix), monotonic=tick)
    for _ in range(200):
        assert (await a.hit("k", 200, 60.0))[0]
    ok, retry_after = await a.hit("k", 200, 60.0)
    assert not ok and retry_after > 0


async def test_concurrent_requests_wait_for_one_take_instead_of_stranding_slots(
    redis: tuple[Redis, str],
) -> None:
    r, prefix = redis
    Counting.calls = 0
    limit = 1000  # budgets of 10
    a = BudgetRateLimiter(Counting(r, prefix=prefix), monotonic=Tick())
    # 40 requests at once find no budget: they share takes of 10 slots
    results = await asyncio.gather(*(a.hit("burst", limit, 60.0) for _ in range(40)))
    assert all(ok for ok, _ in results)
    assert Counting.calls == 4
    # and the window holds the slots taken, none stranded
    assert await r.llen(prefix + "burst") == 40
    # a full window refuses every waiter with the one refusal
    tight = BudgetRateLimiter(Counting(r, prefix=prefix), monotonic=Tick())
    for _ in range(200):
        assert (await tight.hit("full", 200, 60.0))[0]
    Counting.calls = 0
    refused = await asyncio.gather(*(tight.hit("full", 200, 60.0) for _ in range(20)))
    assert not any(ok for ok, _ in refused)
    assert all(0 < wait <= 60.0 for _, wait in refused)
    assert Counting.calls == 1
