"""Eligibility decisions through the door, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hub.db import session_scope
from hub.decisions.service import check_eligibility
from hub.enums import DataCategory as C
from hub.enums import PrincipalKind, Purpose
from hub.errors import HubError
from hub.models import AuditEvent, Decision
from hub.resources import Hub
from tests.decisions.helpers import BLACK, GOOD, Seeder, entity, events, lst, record

LOAN_CATS = (C.BASIC, C.EVALUATION, C.TAX, C.PENALTY, C.JUDICIAL)


async def good_entity(seed: Seeder) -> None:
    # 600 + 11 full years (+100, capped at 10) + tax A (+150) = 850 → grade A
    await seed.rows(
        entity(GOOD), record(GOOD, "T1", "TAX", "TAX_RATING", details={"rating": "A"})
    )


async def decide(hub: Hub, who, key: str, uscc: str) -> Decision:  # type: ignore[no-untyped-def]
    async with session_scope(hub.sessionmaker) as s:
        return await check_eligibility(s, hub, who, key, uscc)


async def test_consented_bank_gets_an_eligible_decision_stored_and_audited(
    hub: Hub,
    seed: Seeder,
) -> None:
    # given a grade-A entity and a LENDING consent covering credit-loan's categories
    await good_entity(seed)
    bank = await seed.client(PrincipalKind.BANK)
    consent_id = await seed.consent(GOOD, bank, Purpose.LENDING, *LOAN_CATS)
    # when the bank asks
    d = await decide(hub, bank, "credit-loan", GOOD)
    # then ELIGIBLE, tier 1, with reasons and the facts used
    assert (d.outcome, d.rule_version, d.consent_id) == (
        "ELIGIBLE",
        "2026.2",
        consent_id,
    )
    assert [(b["code"], b["value"]) for b in d.benefits] == [
        ("CREDIT_LOAN_TIER", 3_000_000),
        ("COLLATERAL_FREE", 1.0),
        ("RATE_DISCOUNT", 0.10),
    ]
    assert [r["rule_id"] for r in d.reasons] == [
        "CL-TIER-1",
        "CL-TIER-2",
        "CL-RATE-TAX-A",
    ]
    assert d.facts == {
        "grade": "A",
        "score": 850,
        "evaluation_model": "kaifeng-1000-v1",
        "tax_rating": "A",
        "penalties_minor": 0,
        "penalties_ordinary": 0,
        "penalties_serious": 0,
        "focus_listed": False,
        "dishonest_debtor": False,
        "black_listed": False,
        "serious_records": 0,
        "red_listed": False,
        "years_established": 11,
        "entity_kind": "ENTERPRISE",
        "disputed_records": 0,
    }
    async with hub.sessionmaker() as s:
        stored = await s.get(Decision, d.id)
        assert stored is not None and stored.requester_id == bank.id
        assert (await events(s, GOOD))[-1] == ("eligibility.check", "GRANTED")


async def test_without_consent_a_clean_entity_is_consent_required(
    hub: Hub,
    seed: Seeder,
) -> None:
    await good_entity(seed)
    merchant = await seed.client(PrincipalKind.MERCHANT, "商户")
    with pytest.raises(HubError) as err:
        await decide(hub, merchant, "deposit-waiver", GOOD)
    assert err.value.code == "CONSENT_REQUIRED"
    assert err.value.extra["missingCategories"] == ["BASIC", "EVALUATION", "UTILITIES"]
    async with hub.sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(Decision)) == 0
        # the consent refusal, then the public-list check that found no list
        # (tests/decisions/test_public_lists.py has the events in full)
        assert await events(s, GOOD) == [
            ("eligibility.check", "DENIED:CONSENT_REQUIRED"),
            ("eligibility.check", "DENIED:CONSENT_REQUIRED"),
        ]


async def test_consent_missing_a_category_names_it(hub: Hub, seed: Seeder) -> None:
    await good_entity(seed)
    merchant = await seed.client(PrincipalKind.MERCHANT, "商户")
    await seed.consent(GOOD, merchant, Purpose.INCENTIVE, C.BASIC, C.EVALUATION)
    with pytest.raises(HubError) as err:
        await decide(hub, merchant, "deposit-waiver", GOOD)
    assert (err.value.code, err.value.extra["missingCategories"]) == (
        "CONSENT_REQUIRED",
        ["UTILITIES"],
    )


async def test_black_listed_entity_is_restricted_even_without_consent(
    hub: Hub,
    seed: Seeder,
) -> None:
    # given a BLACK-listed entity that granted nothing
    await seed.rows(entity(BLACK), lst(BLACK))
    merchant = await seed.client(PrincipalKind.MERCHANT, "商户")
    # when a merchant asks
    d = await decide(hub, merchant, "merchant-discount", BLACK)
    # then RESTRICTED, citing the list, its basis, 35号 §八/§十 and 平信用 §11
    assert (d.outcome, d.benefits, d.consent_id) == ("RESTRICTED", [], None)
    assert d.reasons == [
        {
            "rule_id": "JP-BLACK-LIST",
            "description": "列入严重失信主体名单「失信被执行人名单」"
            "（认定依据：（2025）豫01执123号），依法实施失信联合惩戒",
            "legal_basis": "国办发〔2019〕35号 §八/§十（失信联合惩戒）；"
            "平信用〔2021〕1号 §11；失信被执行人名单",
        }
    ]
    # and the stored facts hold the list, nothing about any record
    assert d.facts == {"black_listed": True}
    async with hub.sessionmaker() as s:
        assert await events(s, BLACK) == [
            ("eligibility.check", "DENIED:CONSENT_REQUIRED"),
            ("eligibility.check", "RESTRICTED"),
        ]


SCENARIOS = [
    ("credit-loan", PrincipalKind.BANK, Purpose.LENDING),
    ("guarantee-fee", PrincipalKind.GUARANTOR, Purpose.GUARANTEE),
    ("deposit-waiver", PrincipalKind.MERCHANT, Purpose.INCENTIVE),
    ("fast-track-approval", PrincipalKind.AGENCY, Purpose.APPROVAL),
    ("merchant-discount", PrincipalKind.MERCHANT, Purpose.INCENTIVE),
]


@pytest.mark.parametrize(("key", "kind", "purpose"), SCENARIOS)
async def test_black_list_membership_restricts_every_scenario(
    hub: Hub,
    seed: Seeder,
    key: str,
    kind: PrincipalKind,
    purpose: Purpose,
) -> None:
    # given a grade-A entity on the courts' 失信被执行人名单, and full consent
    await good_entity(seed)
    await seed.rows(lst(GOOD))
    who = await seed.client(kind, "调用方")
    await seed.consent(GOOD, who, purpose, *hub.scenarios.get(key).categories)
    d = await decide(hub, who, key, GOOD)
    assert (d.outcome, d.benefits) == ("RESTRICTED", [])
    assert d.reasons[0]["rule_id"] == "JP-BLACK-LIST"
    assert d.reasons[0]["legal_basis"].startswith("国办发〔2019〕35号 §八/§十")


@pytest.mark.parametrize(("key", "kind", "purpose"), SCENARIOS)
async def test_a_serious_record_outside_the_lists_never_restricts(
    hub: Hub,
    seed: Seeder,
    key: str,
    kind: PrincipalKind,
    purpose: Purpose,
) -> None:
    # given an entity with one active SERIOUS penalty and no list, full consent
    await good_entity(seed)
    await seed.rows(record(GOOD, "P1", "PENALTY", "ADMIN_PENALTY", "SERIOUS"))
    who = await seed.client(kind, "调用方")
    await seed.consent(GOOD, who, purpose, *hub.scenarios.get(key).categories)
    d = await decide(hub, who, key, GOOD)
    # then no joint punishment (平信用〔2021〕1号 §11 "防止小过重惩"): the
    # scenario's own rules decide — here the grade the record caps at D
    assert d.outcome == "INELIGIBLE"
    assert not [r for r in d.reasons if r["rule_id"].startswith("JP-")]


async def test_a_serious_record_of_an_unconsented_category_stays_unseen(
    hub: Hub,
    seed: Seeder,
) -> None:
    # given a SERIOUS social-insurance arrears record and no list
    await good_entity(seed)
    await seed.rows(
        record(GOOD, "SI1", "SOCIAL_INSURANCE", "SOCIAL_INSURANCE_ARREARS", "SERIOUS")
    )
    merchant = await seed.client(PrincipalKind.MERCHANT, "商户")
    # when a merchant without consent asks: the refusal stands
    with pytest.raises(HubError) as err:
        await decide(hub, merchant, "merchant-discount", GOOD)
    assert err.value.code == "CONSENT_REQUIRED"
    assert "SOCIAL" not in err.value.message
    # and with a consent for the scenario (BASIC, EVALUATION): the decision
    # and its stored facts tell nothing of the record's category
    await seed.consent(
        GOOD,
        merchant,
        Purpose.INCENTIVE,
        *hub.scenarios.get("merchant-discount").categories,
    )
    d = await decide(hub, merchant, "merchant-discount", GOOD)
    assert not [r for r in d.reasons if r["rule_id"].startswith("JP-")]
    assert d.facts["serious_records"] == 0
    assert "社保" not in repr((d.reasons, d.facts))
    assert "SOCIAL_INSURANCE" not in repr((d.reasons, d.facts))
    async with hub.sessionmaker() as s:
        details = await s.scalars(
            select(AuditEvent.detail).where(AuditEvent.subject == GOOD)
        )
        assert "SOCIAL_INSURANCE" not in repr(list(details))


async def test_disputed_serious_record_does_not_restrict(
    hub: Hub,
    seed: Seeder,
) -> None:
    await seed.rows(
        entity(GOOD),
        record(GOOD, "T1", "TAX", "TAX_RATING", details={"rating": "A"}),
        record(GOOD, "P1", "PENALTY", "ADMIN_PENALTY", "SERIOUS", status="DISPUTED"),
    )
    agency = await seed.client(PrincipalKind.AGENCY, "审批局")
    await seed.consent(
        GOOD,
        agency,
        Purpose.APPROVAL,
        *hub.scenarios.get("fast-track-approval").categories,
    )
    d = await decide(hub, agency, "fast-track-approval", GOOD)
    # 征信业管理条例 Art 25: shown as disputed, not held against the entity
    assert (d.outcome, d.facts["disputed_records"]) == ("ELIGIBLE", 1)
    assert (d.facts["serious_records"], d.facts["penalties_serious"]) == (0, 0)


async def test_wrong_purpose_for_the_client_kind_is_forbidden(
    hub: Hub,
    seed: Seeder,
) -> None:
    await seed.rows(entity(BLACK), lst(BLACK))
    merchant = await seed.client(PrincipalKind.MERCHANT, "商户")
    with pytest.raises(HubError) as err:
        await decide(hub, merchant, "credit-loan", BLACK)
    assert err.value.code == "FORBIDDEN"


async def test_unknown_scenario(hub: Hub, seed: Seeder) -> None:
    bank = await seed.client(PrincipalKind.BANK)
    with pytest.raises(HubError) as err:
        await decide(hub, bank, "rent-waiver", GOOD)
    assert err.value.code == "NOT_FOUND"
    assert "credit-loan" in err.value.message


async def test_unregistered_entity_is_not_found_and_not_audited(
    hub: Hub,
    seed: Seeder,
) -> None:
    # given a valid code that was never imported and a merchant without consent
    merchant = await seed.client(PrincipalKind.MERCHANT, "商户")
    # when the merchant asks about it
    with pytest.raises(HubError) as err:
        await decide(hub, merchant, "merchant-discount", GOOD)
    # then NOT_FOUND (not CONSENT_REQUIRED), and nothing is written about it
    assert (err.value.code, err.value.message) == (
        "NOT_FOUND",
        f"No entity {GOOD} is registered.",
    )
    async with hub.sessionmaker() as s:
        assert await events(s, GOOD) == []
        assert await s.scalar(select(func.count()).select_from(Decision)) == 0
