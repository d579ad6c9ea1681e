"""The facts gathered in one statement equal the general path's (PostgreSQL).

For a varied set of enterprises — negative records of every kind, lists,
a white list, none at all, records out of their window, an unknown code —
and every registered scenario, :func:`hub.decisions.gather.gather` followed
by :func:`hub.decisions.facts.load_facts` gives the same data and facts as
the general path's separate queries, under the same grant.
"""

from __future__ import annotations

import random

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from hub.access.door import open_doors
from hub.auth.principal import Principal
from hub.consent.lifecycle import pause
from hub.db import migrate, session_scope
from hub.decisions.facts import load_facts
from hub.decisions.gather import gather, may_gather
from hub.decisions.service import check_eligibility
from hub.enums import DataCategory, PrincipalKind
from hub.errors import HubError
from hub.resources import Hub
from hub.uscc import make_uscc
from scenarios.protocol import Scenario
from tests.decisions.helpers import Seeder, entity, lst, record

_rng = random.Random(45)
NEGATIVE, LISTED, WHITE, EMPTY, OLD, UNKNOWN, NARROW = (
    make_uscc(_rng) for _ in range(7)
)
KINDS = (
    PrincipalKind.BANK,
    PrincipalKind.GUARANTOR,
    PrincipalKind.MERCHANT,
    PrincipalKind.AGENCY,
)


@pytest.fixture
def db_url(postgres_url: str) -> str:
    migrate(postgres_url)
    return postgres_url


async def seed_enterprises(seed: Seeder) -> None:
    u = NEGATIVE
    await seed.rows(
        entity(u, established="2019-07-15"),
        record(u, "N1", "PENALTY", "ADMIN_PENALTY", "MINOR"),
        record(u, "N2", "PENALTY", "ADMIN_PENALTY", "ORDINARY"),
        record(u, "N3", "PENALTY", "ADMIN_PENALTY", "SERIOUS"),
        record(u, "N4", "PENALTY", "ADMIN_PENALTY", "SERIOUS", status="DISPUTED"),
        record(u, "N5", "JUDICIAL", "DISHONEST_JUDGMENT_DEBTOR", "SERIOUS"),
        record(u, "N6", "TAX", "TAX_RATING", details={"rating": "C"}),
        record(
            u,
            "N7",
            "TAX",
            "TAX_RATING",
            decided_on="2026-03-01",
            details={"rating": "B", "score": 78.5, "note": "年度评价"},
        ),
        record(u, "N8", "UTILITIES", "WATER_ARREARS", "MINOR"),
        record(u, "N9", "SOCIAL_INSURANCE", "SOCIAL_INSURANCE_ARREARS", "ORDINARY"),
        record(
            u, "N10", "COMMITMENT", "COMMITMENT_BREACH", details={"status": "BREACHED"}
        ),
        record(
            u,
            "N11",
            "COMMITMENT",
            "CREDIT_COMMITMENT",
            details={"status": "FULFILLED"},
        ),
    )
    u = LISTED
    await seed.rows(
        entity(u),
        lst(u, "BLACK"),
        lst(u, "BLACK", name="重大税收违法失信主体名单", since="2024-01-05"),
        lst(u, "RED", name="纳税信用A级纳税人名单", basis="2025年度"),
        lst(u, "FOCUS", name="重点关注对象名单", basis="豫市监〔2025〕8号"),
        record(u, "L1", "PENALTY", "ADMIN_PENALTY", "ORDINARY"),
    )
    u = WHITE
    await seed.rows(
        entity(u, kind="INDIVIDUAL_BUSINESS"),
        lst(u, "WHITE", name="信易贷白名单", basis="豫发改财金〔2025〕3号"),
        lst(u, "RED", name="守合同重信用企业", basis="2024年度"),
        record(u, "W1", "HONOR", "AWARD"),
        record(u, "W2", "LICENSING", "BUSINESS_LICENSE"),
        record(u, "W3", "TAX", "TAX_RATING", details={"rating": "A"}),
    )
    await seed.rows(entity(EMPTY))
    u = OLD  # everything out of its publication window, or not yet in it
    await seed.rows(
        entity(u),
        record(
            u,
            "O1",
            "PENALTY",
            "ADMIN_PENALTY",
            "MINOR",
            decided_on="2025-01-02",
            publish_from="2025-01-02",
            publish_until="2025-04-01",
        ),
        record(
            u,
            "O2",
            "PENALTY",
            "ADMIN_PENALTY",
            "ORDINARY",
            publish_from="2027-01-01",
        ),
    )
    await seed.rows(
        entity(NARROW),
        record(NARROW, "X1", "JUDICIAL", "DISHONEST_JUDGMENT_DEBTOR", "SERIOUS"),
    )


async def consents(hub: Hub, seed: Seeder) -> dict[str, Principal]:
    """A client per purpose, consenting to everything the purpose may hold
    (NARROW: everything but JUDICIAL)."""
    clients: dict[str, Principal] = {}
    for scenario in hub.scenarios:
        purpose = scenario.purpose
        if purpose in clients:
            continue
        kind = next(k for k in KINDS if purpose in hub.policy.kinds[k])
        who = clients[purpose] = await seed.client(kind, f"测试 {purpose}")
        cats = sorted(hub.policy.categories_for(purpose))
        for u in (NEGATIVE, LISTED, WHITE, EMPTY, OLD):
            await seed.consent(u, who, purpose, *cats)
        narrow = [c for c in cats if c != DataCategory.JUDICIAL]
        await seed.consent(NARROW, who, purpose, *narrow)
    return clients


async def both_ways(
    s: AsyncSession, hub: Hub, who: Principal, scenario: Scenario, uscc: str
) -> tuple[object, object] | None:
    gathered = await gather(s, hub, who, uscc, scenario.purpose, scenario.categories)
    if gathered is None:
        return None
    consents = {uscc: gathered.consent} if gathered.consent is not None else {}
    grant = (
        await open_doors(
            s,
            hub,
            who,
            usccs=[uscc],
            purpose=scenario.purpose,
            action="eligibility.check",
            categories=scenario.categories,
            require_all=True,
            consents=consents,
        )
    )[uscc]
    assert not isinstance(grant, Exception), grant
    # the one-statement data is really what load_facts uses
    assert gathered.data_for(grant) is not None
    one = await load_facts(s, hub, grant, entity=gathered.entity, gathered=gathered)
    general = await load_facts(s, hub, grant)
    return one, general


async def test_one_statement_facts_equal_the_general_paths(
    hub: Hub, seed: Seeder
) -> None:
    await seed_enterprises(seed)
    clients = await consents(hub, seed)
    compared = 0
    # twice: evaluations computed in the unit of work, then cached and fresh
    for warm in (False, True):
        for scenario in hub.scenarios:
            who = clients[scenario.purpose]
            assert may_gather(hub, who, NEGATIVE, scenario.purpose, scenario.categories)
            for uscc in (NEGATIVE, LISTED, WHITE, EMPTY, OLD):
                async with session_scope(hub.sessionmaker) as s:
                    found = await both_ways(s, hub, who, scenario, uscc)
                assert found is not None
                one, general = found
                assert one == general, (warm, scenario.key, uscc)
                compared += 1
    assert compared == 2 * 5 * len(list(hub.scenarios))
    # a varied set indeed: the facts differ between the enterprises
    who = clients["LENDING"]
    loan = hub.scenarios.get("credit-loan")
    seen = []
    for uscc in (NEGATIVE, LISTED, WHITE, EMPTY, OLD):
        async with session_scope(hub.sessionmaker) as s:
            found = await both_ways(s, hub, who, loan, uscc)
        assert found is not None
        seen.append(found[0])
    facts = [f for f, _data in seen]  # type: ignore[misc]
    assert facts[0]["penalties_serious"] == 1 and facts[0]["dishonest_debtor"]
    assert facts[0]["disputed_records"] == 1 and facts[0]["tax_rating"] == "B"
    assert facts[1]["black_listed"] and facts[1]["red_listed"]
    assert facts[1]["focus_listed"]
    assert not facts[2]["black_listed"] and facts[2]["red_listed"]
    assert facts[2]["entity_kind"] == "INDIVIDUAL_BUSINESS"
    assert facts[3]["tax_rating"] is None and facts[3]["penalties_minor"] == 0
    assert facts[4]["penalties_minor"] == facts[4]["penalties_ordinary"] == 0
    white = seen[2][1]
    assert sorted(m.kind for m in white.lists) == ["RED", "WHITE"]  # type: ignore[attr-defined]


async def test_an_unknown_code_gathers_nothing(hub: Hub, seed: Seeder) -> None:
    await seed_enterprises(seed)
    who = await seed.client(PrincipalKind.BANK)
    loan = hub.scenarios.get("credit-loan")
    async with session_scope(hub.sessionmaker) as s:
        assert await gather(s, hub, who, UNKNOWN, loan.purpose, loan.categories) is None


async def test_a_consent_missing_a_category_reads_no_record(
    hub: Hub, seed: Seeder
) -> None:
    # NARROW's consent leaves out JUDICIAL, which credit-loan decides on: the
    # statement finds the consent but reads no record, list or evaluation.
    await seed_enterprises(seed)
    clients = await consents(hub, seed)
    loan = hub.scenarios.get("credit-loan")
    async with session_scope(hub.sessionmaker) as s:
        gathered = await gather(
            s, hub, clients["LENDING"], NARROW, loan.purpose, loan.categories
        )
    assert gathered is not None and gathered.consent is not None
    assert gathered._data is None and gathered._evaluation is None


async def test_a_paused_consent_reads_no_record_and_the_door_refuses(
    hub: Hub, seed: Seeder
) -> None:
    # The enterprise pauses its consent: the statement still finds it (the
    # door explains PAUSED from it) but reads nothing behind it.
    await seed_enterprises(seed)
    bank = await seed.client(PrincipalKind.BANK)
    loan = hub.scenarios.get("credit-loan")
    cats = sorted(hub.policy.categories_for(loan.purpose))
    consent_id = await seed.consent(NEGATIVE, bank, loan.purpose, *cats)
    me = Principal(
        id=NEGATIVE, kind=PrincipalKind.SUBJECT, name=NEGATIVE, uscc=NEGATIVE
    )
    async with session_scope(hub.sessionmaker) as s:
        await pause(s, hub, me, consent_id)
    async with session_scope(hub.sessionmaker) as s:
        gathered = await gather(s, hub, bank, NEGATIVE, loan.purpose, loan.categories)
    assert gathered is not None and gathered.consent is not None
    assert gathered.consent.id == consent_id
    assert gathered._data is None and gathered._evaluation is None
    with pytest.raises(HubError) as refused:
        async with session_scope(hub.sessionmaker) as s:
            await check_eligibility(s, hub, bank, "credit-loan", NEGATIVE)
    assert refused.value.extra["reason"] == "PAUSED"
