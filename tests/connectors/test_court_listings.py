"""A court listing pulled by a connector becomes the BLACK membership joint
punishment follows, and ends when the court reports performance or drops it."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from connectors.protocol import EntityRef
from connectors.sandbox import data
from hub.db import session_scope
from hub.decisions.service import check_eligibility
from hub.enums import DataCategory as C
from hub.enums import PrincipalKind
from hub.errors import HubError
from hub.models import AuditEvent, CreditRecord, ListMembership
from hub.sources.service import refresh
from scenarios.registry import ScenarioRegistry
from tests.connectors.conftest import SANDBOX_DAY, World, find_uscc
from tests.decisions.helpers import Seeder

USCC = find_uscc(lambda u: not data.court_answer(u, SANDBOX_DAY)["cases"], seed=11)
CASE = "（2025）豫01执77号"


def _answer(uscc: str, **case: Any) -> str:
    listed = {
        "case_number": CASE,
        "court": "郑州市中级人民法院",
        "basis_document": "（2024）豫01民初5号",
        "obligation": "支付货款人民币386,000元及利息",
        "circumstance": "违反限制消费令",
        "performance": "全部未履行",
        "filed_on": "2025-02-10",
        "listed_on": "2025-06-01",
        "extension": None,
        "performed_on": None,
        **case,
    }
    return json.dumps({"uscc": uscc, "name": "x", "cases": [listed]})


class Court:
    """The court's answer, as the test decides it (served over the real connector)."""

    def __init__(self, world: World) -> None:
        self.answer: dict[str, Any] | None = {}
        connector = world.registry["court-dishonest"]
        parse = connector._parse

        def _parse(entity: EntityRef, raw: str, cats: Any) -> Any:
            if self.answer is None:
                body = json.dumps({"uscc": entity.uscc, "name": "x", "cases": []})
            else:
                body = _answer(entity.uscc, **self.answer)
            return parse(entity, body, cats)

        connector._parse = _parse  # type: ignore[method-assign]


async def pull(world: World) -> None:
    world.hub.backends.cache = type(world.hub.cache)()  # no freshness: pull again
    async with session_scope(world.hub.sessionmaker) as s:
        grant = await world.grant(s, USCC)
    # Agencies are asked with no transaction open (the grant's read is
    # committed first); the pull stores in a short transaction of its own.
    await refresh(world.hub, grant, world.registry)


async def memberships(world: World) -> list[tuple[Any, ...]]:
    async with world.hub.sessionmaker() as s:
        rows = await s.scalars(select(ListMembership).order_by(ListMembership.id))
        return [
            (
                m.kind,
                m.list_name,
                m.basis,
                str(m.since),
                str(m.until) if m.until else None,
                m.status,
                m.end_reason,
                m.record_source,
                m.record_source_id,
            )
            for m in rows
        ]


async def merchant_outcome(world: World) -> str:
    seed = Seeder(world.hub)
    world.hub.scenarios = ScenarioRegistry.from_entry_points()
    merchant = await seed.client(PrincipalKind.MERCHANT, "商户")
    try:
        async with session_scope(world.hub.sessionmaker) as s:
            d = await check_eligibility(
                s, world.hub, merchant, "merchant-discount", USCC
            )
            return d.outcome
    except HubError as e:
        return str(e.code)


async def test_a_pulled_listing_is_a_black_membership_until_performed(
    world: World,
) -> None:
    # given an open listing (circumstance (五), 2 years from 2025-06-01)
    await world.add_entity(USCC)
    await world.consent(USCC, [C.JUDICIAL])
    court = Court(world)
    await pull(world)
    listed = (
        "BLACK",
        "失信被执行人名单",
        CASE,
        "2025-06-01",
        "2027-06-01",
        "ACTIVE",
        None,
        "court-dishonest",
        CASE,
    )
    assert await memberships(world) == [listed]
    # then joint punishment applies to a merchant without consent
    assert await merchant_outcome(world) == "RESTRICTED"
    # a pull that changes nothing changes no membership
    await pull(world)
    assert await memberships(world) == [listed]

    # when the court reports the obligation performed (SPC 2017 Art 10)
    court.answer = {"performance": "全部履行", "performed_on": "2026-11-20"}
    await pull(world)
    # then the listing ends at once, and with it the restriction
    assert await memberships(world) == [
        (*listed[:5], "ENDED", "PERFORMED", *listed[7:])
    ]
    assert await merchant_outcome(world) == "CONSENT_REQUIRED"
    async with world.hub.sessionmaker() as s:
        record = (await s.scalars(select(CreditRecord))).one()
        ended = (
            await s.scalars(select(AuditEvent).where(AuditEvent.action == "list.end"))
        ).one()
    assert (record.status, str(record.ended_on)) == ("EXPIRED", "2026-11-20")
    assert (ended.outcome, ended.subject, ended.categories) == (
        "DELISTED",
        USCC,
        ["BASIC"],
    )
    assert ended.detail["reason"] == "PERFORMED"

    # and a later pull of the same performed case does not bring it back
    await pull(world)
    assert [m[5] for m in await memberships(world)] == ["ENDED"]


async def test_a_listing_the_court_drops_ends(world: World) -> None:
    await world.add_entity(USCC)
    await world.consent(USCC, [C.JUDICIAL])
    court = Court(world)
    court.answer = {"circumstance": "有履行能力而拒不履行生效法律文书确定义务"}
    await pull(world)
    # (一) has no fixed term: the membership has no until
    [m] = await memberships(world)
    assert (m[4], m[5]) == (None, "ACTIVE")
    # when the court no longer lists it
    court.answer = None
    world.hub.clock.advance(days=1)
    await pull(world)
    [m] = await memberships(world)
    assert (m[5], m[6]) == ("ENDED", "WITHDRAWN")
