"""Dry runs return aggregates over at least 20 entities, never per-entity answers."""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest
from sqlalchemy import func, select

from hub.db import session_scope
from hub.decisions.dry_run import DryRunSummary, RuleHits, Transition, dry_run
from hub.enums import DecisionOutcome as O
from hub.enums import PrincipalKind
from hub.errors import HubError
from hub.models import AuditEvent, Decision, ScenarioRuleVersion
from hub.resources import Hub
from hub.uscc import make_uscc
from tests.decisions.helpers import ADMIN, BLACK, GOOD, Seeder, entity, lst, record
from tests.decisions.test_graphql import gql

KEY = "merchant-discount"
RNG = random.Random(20261123)
# 20 plain entities: 600 + 10 (capped) years × 10 = 700 → grade B
CROWD = [u for u in dict.fromkeys(make_uscc(RNG) for _ in range(22))][:20]
UNREGISTERED = make_uscc(random.Random(1))
assert not {GOOD, BLACK, UNREGISTERED} & set(CROWD)


def proposal(hub: Hub) -> dict[str, Any]:
    """MD-A discount 10% → 20%; grade B no longer qualifies."""
    raw = copy.deepcopy(hub.scenarios.get(KEY).default_rules().as_data())
    raw["version"] = "2026.3"
    raw["rules"][1]["then"]["benefits"][0]["value"] = 0.2  # MD-A
    raw["rules"][3]["then"] = {"outcome": "INELIGIBLE"}  # MD-B
    return raw


@pytest.fixture
async def population(seed: Seeder) -> None:
    await seed.rows(
        entity(GOOD),
        record(GOOD, "T1", "TAX", "TAX_RATING", details={"rating": "A"}),
        entity(BLACK),
        lst(BLACK),
        *(entity(u) for u in CROWD),
    )


def summary_of_all(entities: int = 22, unknown: int = 0) -> DryRunSummary:
    return DryRunSummary(
        scenario=KEY,
        current_version="2026.2",
        proposed_version="2026.3",
        entities=entities,
        unknown=unknown,
        changed=21,  # GOOD's discount and the crowd's outcome
        joint_punishment=None,  # counts below 5 are withheld
        transitions=(
            Transition(O.ELIGIBLE, O.ELIGIBLE, None),
            Transition(O.ELIGIBLE, O.INELIGIBLE, 20),
            Transition(O.RESTRICTED, O.RESTRICTED, None),
        ),
        rules=(
            RuleHits("MD-INEL-GRADE", None),  # BLACK is capped at grade D
            RuleHits("MD-A", None),
            RuleHits("MD-RED", 0),
            RuleHits("MD-B", 20),
            RuleHits("MD-DEFAULT", 0),
        ),
    )


async def run(hub: Hub, usccs: list[str] | None, **kw: Any) -> DryRunSummary:
    async with session_scope(hub.sessionmaker) as s:
        return await dry_run(s, hub, ADMIN, KEY, proposal(hub), usccs, **kw)


async def dry_run_subjects(hub: Hub) -> list[str]:
    async with hub.sessionmaker() as s:
        rows = await s.scalars(
            select(AuditEvent.subject)
            .where(AuditEvent.action == "scenario.dry_run")
            .order_by(AuditEvent.seq)
        )
        return list(rows)  # type: ignore[arg-type]


async def test_listed_sample_gives_counts_only_and_audits_each_entity(
    hub: Hub,
    population: None,
) -> None:
    # given 22 registered entities and one valid but unregistered code
    listed = [GOOD, BLACK, *CROWD, UNREGISTERED, GOOD]
    # when the admin dry-runs the proposal over them
    summary = await run(hub, listed)
    # then only counts come back
    assert summary == summary_of_all(unknown=1)
    # and each evaluated entity has its scenario.dry_run event; nothing else
    assert await dry_run_subjects(hub) == [GOOD, BLACK, *CROWD]
    async with hub.sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(Decision)) == 0
        assert await s.scalar(select(ScenarioRuleVersion.id)) is None


async def test_each_sampled_entity_has_one_event_of_the_door_on_basis_dry_run(
    hub: Hub,
    population: None,
) -> None:
    # when the admin dry-runs the proposal over the whole population
    await run(hub, None)
    # then every sampled entity has exactly one event, written by the door on
    # the basis DRY_RUN with the scenario's categories, settled EVALUATED
    async with hub.sessionmaker() as s:
        rows = (
            await s.execute(
                select(
                    AuditEvent.subject,
                    AuditEvent.actor_id,
                    AuditEvent.purpose,
                    AuditEvent.consent_id,
                    AuditEvent.categories,
                    AuditEvent.outcome,
                    AuditEvent.detail,
                )
                .where(AuditEvent.action == "scenario.dry_run")
                .order_by(AuditEvent.seq)
            )
        ).all()
    sample = sorted([GOOD, BLACK, *CROWD], key=lambda u: u[::-1])
    assert [tuple(r) for r in rows] == [
        (
            uscc,
            ADMIN.id,
            None,
            None,
            sorted(str(c) for c in hub.scenarios.get(KEY).categories),
            "EVALUATED",
            {"scenario": KEY, "version": "2026.3", "basis": "DRY_RUN"},
        )
        for uscc in sample
    ]


async def test_without_a_list_the_sample_is_drawn_deterministically(
    hub: Hub,
    population: None,
) -> None:
    # when no list is given, every entity up to the size is sampled
    assert await run(hub, None) == summary_of_all()
    # and a smaller sample is the first N in backwards-code order, every time
    first = await run(hub, None, size=20)
    second = await run(hub, None, size=20)
    assert (first.entities, first) == (20, second)
    expected = sorted([GOOD, BLACK, *CROWD], key=lambda u: u[::-1])[:20]
    assert await dry_run_subjects(hub) == [
        *sorted([GOOD, BLACK, *CROWD], key=lambda u: u[::-1]),
        *expected,
        *expected,
    ]


@pytest.mark.parametrize(
    ("usccs", "size", "message"),
    [
        (
            [GOOD] * 30 + CROWD[:18],
            100,
            "A dry run needs at least 20 distinct registered entities (got 19): "
            "counts over a smaller sample would single out enterprises.",
        ),
        (
            CROWD[:19] + [UNREGISTERED],
            100,
            "A dry run needs at least 20 distinct registered entities (got 19): "
            "counts over a smaller sample would single out enterprises.",
        ),
        (
            None,
            19,
            "The sample size must be 20–100; smaller samples would single out "
            "enterprises.",
        ),
    ],
)
async def test_small_samples_are_refused_before_anything_is_read(
    hub: Hub,
    population: None,
    usccs: list[str] | None,
    size: int,
    message: str,
) -> None:
    with pytest.raises(HubError) as err:
        await run(hub, usccs, size=size)
    assert (err.value.code, err.value.message) == ("VALIDATION_ERROR", message)
    assert await dry_run_subjects(hub) == []


async def test_too_few_registered_entities_for_a_database_sample(
    hub: Hub, seed: Seeder
) -> None:
    await seed.rows(entity(GOOD), entity(BLACK))
    with pytest.raises(HubError) as err:
        await run(hub, None)
    assert err.value.code == "VALIDATION_ERROR"
    assert "(got 2)" in err.value.message


DRY_RUN = """query($r: JSON!) {
  scenarioDryRun(scenario: "merchant-discount", rules: $r) {
    scenario currentVersion proposedVersion entities unknown changed
    jointPunishment transitions { current proposed entities }
    rules { ruleId fired }
} }"""


async def test_graphql_dry_run_is_aggregate_and_admin_only(
    hub: Hub,
    seed: Seeder,
    population: None,
) -> None:
    data = await gql(hub, ADMIN, DRY_RUN, r=proposal(hub))
    assert data["scenarioDryRun"] == {
        "scenario": KEY,
        "currentVersion": "2026.2",
        "proposedVersion": "2026.3",
        "entities": 22,
        "unknown": 0,
        "changed": 21,
        "jointPunishment": None,
        "transitions": [
            {"current": "ELIGIBLE", "proposed": "ELIGIBLE", "entities": None},
            {"current": "ELIGIBLE", "proposed": "INELIGIBLE", "entities": 20},
            {"current": "RESTRICTED", "proposed": "RESTRICTED", "entities": None},
        ],
        "rules": [
            {"ruleId": "MD-INEL-GRADE", "fired": None},
            {"ruleId": "MD-A", "fired": None},
            {"ruleId": "MD-RED", "fired": 0},
            {"ruleId": "MD-B", "fired": 20},
            {"ruleId": "MD-DEFAULT", "fired": 0},
        ],
    }
    # per-entity fields do not exist any more
    fields = await gql(
        hub, ADMIN, '{ __type(name: "ScenarioDryRun") { fields { name } } }'
    )
    assert {f["name"] for f in fields["__type"]["fields"]} == {
        "scenario",
        "currentVersion",
        "proposedVersion",
        "entities",
        "unknown",
        "changed",
        "jointPunishment",
        "transitions",
        "rules",
    }
    # the caller cannot pick the sample (no leave-one-out comparisons)
    picked = await gql(
        hub,
        ADMIN,
        DRY_RUN.replace("rules: $r)", "rules: $r, usccs: [])"),
        r=proposal(hub),
    )
    assert picked["code"] == "VALIDATION_ERROR"
    merchant = await seed.client(PrincipalKind.MERCHANT, "商户")
    denied = await gql(hub, merchant, DRY_RUN, r=proposal(hub))
    assert denied["code"] == "FORBIDDEN"


async def test_joint_punishment_count_follows_the_lists_only(
    hub: Hub, seed: Seeder
) -> None:
    # given 20 entities: 5 on a BLACK list, 5 others with a SERIOUS
    # social-insurance record (a category merchant-discount does not declare)
    await seed.rows(*(entity(u) for u in CROWD))
    await seed.rows(*(lst(u) for u in CROWD[:5]))
    await seed.rows(
        *(
            record(u, f"SI-{u}", "SOCIAL_INSURANCE", "SI_ARREARS", "SERIOUS")
            for u in CROWD[5:10]
        )
    )
    # when the admin dry-runs the proposal over them
    summary = await run(hub, CROWD)
    # then joint punishment counts the listed five only: the records stay
    # outside the count, as they stay outside every decision
    assert summary.joint_punishment == 5
    assert Transition(O.RESTRICTED, O.RESTRICTED, 5) in summary.transitions
