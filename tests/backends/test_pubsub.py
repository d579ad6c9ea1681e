from __future__ import annotations

import asyncio

from tests.backends.conftest import Kit


async def test_subscriber_receives_messages_in_order(kit: Kit) -> None:
    # given a subscriber on riskAlerts
    async with kit.pubsub.subscribe("riskAlerts") as sub:
        # when two alerts and one on another channel are published
        await kit.pubsub.publish("riskAlerts", {"uscc": "91350100M000100Y43", "n": 1})
        await kit.pubsub.publish("other", {"n": 0})
        await kit.pubsub.publish("riskAlerts", {"uscc": "91350100M000100Y43", "n": 2})
        # then it gets exactly the two alerts, as dicts, in order
        first = await asyncio.wait_for(anext(sub), 5)
        second = await asyncio.wait_for(anext(sub), 5)
    assert first == {"uscc": "91350100M000100Y43", "n": 1}
    assert second == {"uscc": "91350100M000100Y43", "n": 2}


async def test_every_subscriber_gets_its_own_copy(kit: Kit) -> None:
    async with kit.pubsub.subscribe("c") as a, kit.pubsub.subscribe("c") as b:
        await kit.pubsub.publish("c", {"items": [1]})
        got_a = await asyncio.wait_for(anext(a), 5)
        got_b = await asyncio.wait_for(anext(b), 5)
    got_a["items"].append(2)
    assert got_b == {"items": [1]}


async def test_no_delivery_after_unsubscribe(kit: Kit) -> None:
    sub = kit.pubsub.subscribe("c")
    await sub.start()
    await sub.aclose()
    if kit.redis is not None:
        assert await kit.redis.pubsub_numsub(kit.prefix + "bus:c") == [
            (f"{kit.prefix}bus:c".encode(), 0)
        ]
    else:
        assert kit.pubsub._subscribers["c"] == set()
