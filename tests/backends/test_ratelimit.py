from __future__ import annotations

from tests.backends.conftest import Kit


async def test_allows_up_to_the_limit_then_refuses_with_retry_after(kit: Kit) -> None:
    # given a limit of 3 per minute
    answers = [await kit.limiter.hit("client-1", 3, 60) for _ in range(4)]
    # then three pass and the fourth is told to wait for the window
    assert [allowed for allowed, _ in answers] == [True, True, True, False]
    assert [retry for _, retry in answers[:3]] == [0.0, 0.0, 0.0]
    assert 0 < answers[3][1] <= 60


async def test_principals_are_counted_separately(kit: Kit) -> None:
    assert (await kit.limiter.hit("client-1", 1, 60))[0] is True
    assert (await kit.limiter.hit("client-1", 1, 60))[0] is False
    assert (await kit.limiter.hit("client-2", 1, 60))[0] is True


async def test_a_new_window_starts_after_the_old_one(kit: Kit) -> None:
    assert (await kit.limiter.hit("c", 1, 60))[0] is True
    assert (await kit.limiter.hit("c", 1, 60))[0] is False
    if kit.redis is None:
        kit.tick.t += 60
    else:
        await kit.redis.pexpireat(kit.prefix + "rate:c", 1)
    assert await kit.limiter.hit("c", 1, 60) == (True, 0.0)


async def test_redis_counter_always_has_an_expiry(kit: Kit) -> None:
    if kit.redis is None:
        return
    await kit.limiter.hit("c", 5, 60)
    ttl_ms = await kit.redis.pttl(kit.prefix + "rate:c")
    assert 0 < ttl_ms <= 60_000
