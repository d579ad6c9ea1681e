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


async def test_the_window_moves_no_burst_at_a_boundary(kit: Kit) -> None:
    # A fixed window allowed 2 x limit across its boundary; a moving one
    # allows `limit` in any `window` seconds.
    if kit.redis is not None:
        return  # the server's clock cannot be moved; the script is the same rule
    assert (await kit.limiter.hit("m", 2, 60))[0] is True  # t = 0
    kit.tick.t += 50
    assert (await kit.limiter.hit("m", 2, 60))[0] is True  # t = 50
    kit.tick.t += 5
    allowed, retry = await kit.limiter.hit("m", 2, 60)  # t = 55
    assert (allowed, retry) == (False, 5.0)  # the first leaves at t = 60
    kit.tick.t += 5.5
    assert (await kit.limiter.hit("m", 2, 60))[0] is True  # t = 60.5
    allowed, retry = await kit.limiter.hit("m", 2, 60)
    assert (allowed, retry) == (False, 49.5)  # the second leaves at t = 110


async def test_refused_requests_do_not_count(kit: Kit) -> None:
    assert (await kit.limiter.hit("r", 1, 60))[0] is True
    for _ in range(5):
        allowed, retry = await kit.limiter.hit("r", 1, 60)
        assert not allowed and 0 < retry <= 60
    if kit.redis is None:
        kit.tick.t += 60
    else:
        await kit.redis.pexpireat(kit.prefix + "rate:r", 1)
    assert await kit.limiter.hit("r", 1, 60) == (True, 0.0)
