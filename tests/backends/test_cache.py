from __future__ import annotations

from tests.backends.conftest import Kit


async def test_set_then_get_returns_the_same_bytes(kit: Kit) -> None:
    # given a value stored for a minute
    await kit.cache.set("profile:1", b'{"grade": "A"}', ttl=60)
    # when read back
    # then the bytes are unchanged and another key is absent
    assert await kit.cache.get("profile:1") == b'{"grade": "A"}'
    assert await kit.cache.get("profile:2") is None


async def test_value_expires_after_its_ttl(kit: Kit) -> None:
    await kit.cache.set("k", b"v", ttl=30)
    await kit.expire("k", 10)
    assert await kit.cache.get("k") == b"v"
    await kit.expire("k", 30)
    assert await kit.cache.get("k") is None


async def test_redis_keys_carry_the_ttl(kit: Kit) -> None:
    await kit.cache.set("k", b"v", ttl=30)
    if kit.redis is not None:
        ttl_ms = await kit.redis.pttl(kit.prefix + "cache:k")
        assert 0 < ttl_ms <= 30_000


async def test_delete_removes_the_value(kit: Kit) -> None:
    await kit.cache.set("k", b"v", ttl=60)
    await kit.cache.delete("k")
    await kit.cache.delete("never-set")
    assert await kit.cache.get("k") is None


async def test_add_stores_only_when_absent(kit: Kit) -> None:
    # given a lock key taken once
    assert await kit.cache.add("lock", b"worker-1", ttl=5) is True
    # when a second worker tries
    # then it is refused and the first holder's value stays
    assert await kit.cache.add("lock", b"worker-2", ttl=5) is False
    assert await kit.cache.get("lock") == b"worker-1"
    # and once the lock expires it can be taken again
    await kit.expire("lock", 5)
    assert await kit.cache.add("lock", b"worker-2", ttl=5) is True


async def test_memory_cache_is_bounded_least_recently_used_first(kit: Kit) -> None:
    if kit.kind != "memory":
        return  # Redis bounds memory with its own maxmemory policy
    for key in ("a", "b", "c"):
        await kit.cache.set(key, key.encode(), ttl=60)
    assert await kit.cache.get("a") == b"a"  # a is now the most recent
    await kit.cache.set("d", b"d", ttl=60)
    assert await kit.cache.get("b") is None
    assert [await kit.cache.get(k) for k in ("a", "c", "d")] == [b"a", b"c", b"d"]
