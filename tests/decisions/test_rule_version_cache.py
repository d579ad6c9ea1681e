"""The rule version in force is kept per worker and dropped on publish."""

from __future__ import annotations

import asyncio
import dataclasses

from sqlalchemy import event, update

from hub.backends.near import NearValues
from hub.backends.pubsub import MemoryPubSub
from hub.db import session_scope
from hub.decisions.rules import publish_rules
from hub.models import ScenarioRuleVersion
from hub.resources import Hub
from tests.decisions.helpers import ADMIN
from tests.decisions.test_rules_and_stats import KEY, ask, merchant, proposal

__all__ = ["merchant"]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def worker(hub: Hub, bus: MemoryPubSub, clock: Clock) -> Hub:
    """Another process of the same hub: its own copies, the shared bus."""
    backends = dataclasses.replace(
        hub.backends, pubsub=bus, values=NearValues(ttl=5.0, monotonic=clock)
    )
    return dataclasses.replace(hub, backends=backends)


async def warm(hub: Hub, who) -> str:  # type: ignore[no-untyped-def]
    await ask(hub, who)  # subscribes
    await asyncio.sleep(0)
    return (await ask(hub, who)).rule_version


async def test_a_publish_reaches_every_worker_after_commit(hub: Hub, merchant) -> None:  # type: ignore[no-untyped-def]
    bus, clock = MemoryPubSub(), Clock()
    one, two = worker(hub, bus, clock), worker(hub, bus, clock)
    assert await warm(one, merchant) == await warm(two, merchant) == "2026.2"
    async with session_scope(one.sessionmaker) as s:
        await publish_rules(s, one, ADMIN, one.scenarios.get(KEY), proposal(one))
        # not yet committed: the copies stand
        assert f"rules:{KEY}" in one.backends.values._values
        assert f"rules:{KEY}" in two.backends.values._values
    await asyncio.sleep(0.05)  # the bus delivers
    assert (await ask(one, merchant)).rule_version == "2026.3"
    assert (await ask(two, merchant)).rule_version == "2026.3"
    await one.backends.values.aclose()
    await two.backends.values.aclose()


async def test_a_copy_is_used_and_expires_after_its_ttl(hub: Hub, merchant) -> None:  # type: ignore[no-untyped-def]
    bus, clock = MemoryPubSub(), Clock()
    one = worker(hub, bus, clock)
    await warm(one, merchant)
    async with session_scope(one.sessionmaker) as s:
        await publish_rules(s, one, ADMIN, one.scenarios.get(KEY), proposal(one))
    await asyncio.sleep(0.05)
    assert (await ask(one, merchant)).rule_version == "2026.3"
    # A change the bus never announced (written behind the hub's back) is
    # not seen while the copy lives — the copy is really used — and is seen
    # once it expires.
    async with session_scope(one.sessionmaker) as s:
        await s.execute(update(ScenarioRuleVersion).values(active=False))
    assert (await ask(one, merchant)).rule_version == "2026.3"
    clock.now += 5.1
    assert (await ask(one, merchant)).rule_version == "2026.2"
    await one.backends.values.aclose()


async def test_without_the_bus_every_decision_reads_the_database(
    hub: Hub,
    merchant,  # type: ignore[no-untyped-def]
) -> None:
    class DeadBus(MemoryPubSub):
        def subscribe(self, channel: str):  # type: ignore[no-untyped-def]
            raise ConnectionError("bus down")

    clock = Clock()
    one = worker(hub, DeadBus(), clock)
    assert await warm(one, merchant) == "2026.2"
    async with session_scope(one.sessionmaker) as s:
        await s.execute(
            update(ScenarioRuleVersion).values(active=False)
        )  # nothing to change: no published version yet
        s.add(
            ScenarioRuleVersion(
                scenario=KEY,
                version="2026.9",
                rules=proposal(one, "2026.9"),
                published_at=one.clock.now(),
                published_by="admin",
                active=True,
            )
        )
    assert (await ask(one, merchant)).rule_version == "2026.9"
    await one.backends.values.aclose()


async def test_a_warm_decision_does_not_look_the_version_up(
    hub: Hub,
    merchant,  # type: ignore[no-untyped-def]
) -> None:
    clock = Clock()
    one = worker(hub, MemoryPubSub(), clock)
    await warm(one, merchant)
    seen: list[str] = []

    def note(_conn, _cursor, statement: str, *_: object) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(one.engine.sync_engine, "before_cursor_execute", note)
    try:
        await ask(one, merchant)
        clock.now += 5.1  # expired: looked up again
        await ask(one, merchant)
    finally:
        event.remove(one.engine.sync_engine, "before_cursor_execute", note)
    lookups = [s for s in seen if "FROM scenario_rule_versions" in s]
    assert len(lookups) == 1
    await one.backends.values.aclose()
