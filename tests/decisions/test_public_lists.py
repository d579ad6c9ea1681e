"""Eligibility without consent: the public-list check goes through the door.

What the subject sees in its access log (征信业管理条例 Art 22): the consent
refusal, then the PUBLIC_LIST access settled as what it came to.
"""

from __future__ import annotations

from typing import Any

from hub.auth.principal import Principal
from hub.enums import PrincipalKind
from hub.resources import Hub
from tests.decisions.helpers import BLACK, GOOD, Seeder, entity, lst, record
from tests.decisions.test_graphql import ELIGIBILITY, gql

KEY = "deposit-waiver"
SCENARIO_CATEGORIES = ["BASIC", "EVALUATION", "UTILITIES"]
ACCESS_LOG = """query($u: USCC!) { accessLog(uscc: $u, first: 10) { edges { node {
  actorId action purpose consentId categories outcome detail } } } }"""


def subject(uscc: str) -> Principal:
    return Principal(id=uscc, kind=PrincipalKind.SUBJECT, name=uscc, uscc=uscc)


async def access_log(hub: Hub, uscc: str) -> list[dict[str, Any]]:
    """The subject's own access log, oldest first."""
    data = await gql(hub, subject(uscc), ACCESS_LOG, u=uscc)
    return [e["node"] for e in reversed(data["accessLog"]["edges"])]


def refusal(merchant: Principal, decision: str) -> dict[str, Any]:
    return {
        "actorId": merchant.id,
        "action": "eligibility.check",
        "purpose": "INCENTIVE",
        "consentId": None,
        "categories": SCENARIO_CATEGORIES,
        "outcome": "DENIED:CONSENT_REQUIRED",
        "detail": {
            "scenario": KEY,
            "decision": decision,
            "requested": "eligibility.check",
            "refusal": "NO_CONSENT",
        },
    }


def public_list_check(
    merchant: Principal, decision: str, outcome: str, applied: list[str]
) -> dict[str, Any]:
    return {
        "actorId": merchant.id,
        "action": "eligibility.check",
        "purpose": "INCENTIVE",
        "consentId": None,
        "categories": ["BASIC"],
        "outcome": outcome,
        "detail": {
            "scenario": KEY,
            "decision": decision,
            "basis": "PUBLIC_LIST",
            "joint_punishment": applied,
        },
    }


async def test_restricted_answer_logs_the_refusal_and_the_public_list_access(
    hub: Hub, seed: Seeder
) -> None:
    # given a BLACK-listed entity that granted the merchant nothing
    await seed.rows(entity(BLACK), lst(BLACK))
    merchant = await seed.client(PrincipalKind.MERCHANT, "商户")
    # when the merchant asks
    data = await gql(hub, merchant, ELIGIBILITY, s=KEY, u=BLACK)
    # then the answer is RESTRICTED
    decision = data["eligibility"]
    assert (decision["outcome"], decision["benefits"]) == ("RESTRICTED", [])
    # and the subject's access log holds the consent refusal, then the
    # PUBLIC_LIST access (BASIC only) settled RESTRICTED, both for this decision
    assert await access_log(hub, BLACK) == [
        refusal(merchant, decision["id"]),
        public_list_check(merchant, decision["id"], "RESTRICTED", ["JP-BLACK-LIST"]),
    ]


async def test_a_serious_record_without_a_list_does_not_restrict_without_consent(
    hub: Hub, seed: Seeder
) -> None:
    # given an active SERIOUS social-insurance record, on no list
    await seed.rows(
        entity(GOOD),
        record(GOOD, "SI1", "SOCIAL_INSURANCE", "SOCIAL_INSURANCE_ARREARS", "SERIOUS"),
    )
    merchant = await seed.client(PrincipalKind.MERCHANT, "商户")
    # when a merchant without consent asks
    err = await gql(hub, merchant, ELIGIBILITY, s=KEY, u=GOOD)
    # then the consent refusal stands (平信用〔2021〕1号 §11 "防止小过重惩"),
    # and neither the answer nor the audit detail tells of the record
    assert err["code"] == "CONSENT_REQUIRED"
    assert "SOCIAL" not in repr(err) and "社保" not in repr(err)
    log = await access_log(hub, GOOD)
    decision = log[0]["detail"]["decision"]
    assert log == [
        refusal(merchant, decision),
        public_list_check(merchant, decision, "DENIED:CONSENT_REQUIRED", []),
    ]


async def test_no_list_and_no_consent_keeps_the_check_with_the_refusal(
    hub: Hub, seed: Seeder
) -> None:
    # given an entity on no list, with no consent to the merchant
    await seed.rows(entity(GOOD))
    merchant = await seed.client(PrincipalKind.MERCHANT, "商户")
    # when the merchant asks
    err = await gql(hub, merchant, ELIGIBILITY, s=KEY, u=GOOD)
    # then the consent refusal stands
    assert err["code"] == "CONSENT_REQUIRED"
    # and, though the request rolled back, the subject sees both the refusal
    # and the public-list check that found nothing (its answer tells the
    # merchant the entity is on no list), settled as the same refusal
    log = await access_log(hub, GOOD)
    decision = log[0]["detail"]["decision"]
    assert log == [
        refusal(merchant, decision),
        public_list_check(merchant, decision, "DENIED:CONSENT_REQUIRED", []),
    ]


async def test_a_refusal_no_consent_can_cure_skips_the_public_lists(
    hub: Hub, seed: Seeder
) -> None:
    # given a BLACK-listed entity and a merchant asking a LENDING scenario
    await seed.rows(entity(BLACK), lst(BLACK))
    merchant = await seed.client(PrincipalKind.MERCHANT, "商户")
    # then FORBIDDEN, and the lists are not looked at
    err = await gql(hub, merchant, ELIGIBILITY, s="credit-loan", u=BLACK)
    assert err["code"] == "FORBIDDEN"
    assert [e["outcome"] for e in await access_log(hub, BLACK)] == ["DENIED:FORBIDDEN"]
