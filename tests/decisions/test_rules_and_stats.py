"""Publishing rule versions and statistics (dry runs: test_dry_run.py)."""

from __future__ import annotations

import copy
from datetime import date

import pytest
from sqlalchemy import select

from hub.db import session_scope
from hub.decisions.rules import publish_rules, version_in_force
from hub.decisions.service import check_eligibility, record_outcome
from hub.decisions.stats import hub_stats
from hub.enums import PrincipalKind, Purpose
from hub.errors import HubError
from hub.models import AuditEvent, Decision, ScenarioRuleVersion
from hub.resources import Hub
from tests.decisions.helpers import ADMIN, BLACK, GOOD, Seeder, entity, lst, record

KEY = "merchant-discount"


def proposal(hub: Hub, version: str = "2026.3", discount: float = 0.2) -> dict:
    raw = copy.deepcopy(hub.scenarios.get(KEY).default_rules().as_data())
    raw["version"] = version
    raw["rules"][1]["then"]["benefits"][0]["value"] = discount  # MD-A
    return raw


@pytest.fixture
async def merchant(hub: Hub, seed: Seeder):  # type: ignore[no-untyped-def]
    await seed.rows(
        entity(GOOD),
        record(GOOD, "T1", "TAX", "TAX_RATING", details={"rating": "A"}),
        entity(BLACK),
        lst(BLACK),
    )
    who = await seed.client(PrincipalKind.MERCHANT, "商户")
    await seed.consent(GOOD, who, Purpose.INCENTIVE, *hub.scenarios.get(KEY).categories)
    return who


async def ask(hub: Hub, who, uscc: str = GOOD) -> Decision:  # type: ignore[no-untyped-def]
    async with session_scope(hub.sessionmaker) as s:
        return await check_eligibility(s, hub, who, KEY, uscc)


async def publish(hub: Hub, raw: object) -> None:
    async with session_scope(hub.sessionmaker) as s:
        await publish_rules(s, hub, ADMIN, hub.scenarios.get(KEY), raw)


async def test_published_version_serves_new_decisions(hub: Hub, merchant) -> None:  # type: ignore[no-untyped-def]
    before = await ask(hub, merchant)
    await publish(hub, proposal(hub))
    after = await ask(hub, merchant)
    assert (before.rule_version, before.benefits[0]["value"]) == ("2026.2", 0.1)
    assert (after.rule_version, after.benefits[0]["value"]) == ("2026.3", 0.2)
    async with hub.sessionmaker() as s:
        assert await version_in_force(s, hub.scenarios.get(KEY)) == "2026.3"
        # the earlier decision keeps the version it was made under
        assert (await s.get(Decision, before.id)).rule_version == "2026.2"  # type: ignore[union-attr]
        event = await s.scalar(
            select(AuditEvent).where(AuditEvent.action == "scenario.publish")
        )
        assert event is not None and event.detail == {
            "scenario": KEY,
            "version": "2026.3",
            "previous": "2026.2",
            "rules": 4,
        }
    # a third version supersedes the second; both stay stored
    await publish(hub, proposal(hub, "2026.4", 0.3))
    async with hub.sessionmaker() as s:
        rows = (
            await s.execute(
                select(
                    ScenarioRuleVersion.version, ScenarioRuleVersion.active
                ).order_by(ScenarioRuleVersion.id)
            )
        ).all()
    assert [tuple(r) for r in rows] == [("2026.3", False), ("2026.4", True)]


async def test_bad_rules_are_rejected_and_the_old_version_keeps_serving(
    hub: Hub,
    merchant,  # type: ignore[no-untyped-def]
) -> None:
    raw = proposal(hub)
    raw["rules"][2]["when"][0]["op"] = "is"
    with pytest.raises(HubError) as err:
        await publish(hub, raw)
    assert err.value.code == "VALIDATION_ERROR"
    assert "rule 'MD-RED' (rules[2])" in err.value.message
    assert (await ask(hub, merchant)).rule_version == "2026.2"


async def test_a_version_is_published_once(hub: Hub, merchant) -> None:  # type: ignore[no-untyped-def]
    for version in ("2026.2", "2026.3"):
        if version == "2026.3":
            await publish(hub, proposal(hub))
        with pytest.raises(HubError) as err:
            await publish(hub, proposal(hub, version))
        assert err.value.code == "CONFLICT"


async def test_stats(hub: Hub, merchant, seed: Seeder) -> None:  # type: ignore[no-untyped-def]
    d = await ask(hub, merchant)
    await ask(hub, merchant, BLACK)
    async with session_scope(hub.sessionmaker) as s:
        await record_outcome(
            s, hub, merchant, decision_id=d.id, result="BENEFIT_APPLIED"
        )
    bank = await seed.client(PrincipalKind.BANK)
    await seed.consent(
        GOOD, bank, Purpose.LENDING, *hub.scenarios.get("credit-loan").categories
    )
    async with session_scope(hub.sessionmaker) as s:
        loan = await check_eligibility(s, hub, bank, "credit-loan", GOOD)
        await record_outcome(
            s, hub, bank, decision_id=loan.id, result="LOAN_GRANTED", amount=500_000.0
        )
    async with hub.sessionmaker() as s:
        stats = await hub_stats(s, hub, date(2026, 11, 23), date(2026, 11, 23))
        empty = await hub_stats(s, hub, date(2026, 11, 24), None)
    assert (stats.decisions, stats.loans_granted, stats.loan_amount) == (
        3,
        1,
        500_000.0,
    )
    by = {
        x.scenario: (x.decisions, x.eligible, x.restricted, x.benefits_applied)
        for x in stats.by_scenario
    }
    assert by == {
        "credit-loan": (1, 1, 0, 1),
        "deposit-waiver": (0, 0, 0, 0),
        "fast-track-approval": (0, 0, 0, 0),
        "guarantee-fee": (0, 0, 0, 0),
        "merchant-discount": (2, 1, 1, 1),
    }
    assert (empty.decisions, empty.loans_granted, empty.loan_amount) == (0, 0, 0.0)
    with pytest.raises(HubError) as err:
        async with hub.sessionmaker() as s:
            await hub_stats(s, hub, date(2026, 11, 24), date(2026, 11, 23))
    assert err.value.code == "VALIDATION_ERROR"


async def test_stats_days_are_china_calendar_days(
    hub: Hub,
    merchant,
    seed: Seeder,  # type: ignore[no-untyped-def]
) -> None:
    # 2026-11-23 17:00 UTC is already 24 November in China.
    hub.clock.at = hub.clock.at.replace(hour=17)  # type: ignore[attr-defined]
    await ask(hub, merchant)
    async with hub.sessionmaker() as s:
        on_23 = await hub_stats(s, hub, date(2026, 11, 23), date(2026, 11, 23))
        on_24 = await hub_stats(s, hub, date(2026, 11, 24), date(2026, 11, 24))
    assert (on_23.decisions, on_24.decisions) == (0, 1)
