"""The scenario GraphQL module over real resolvers, permissions and scalars.

Runs the hub's own schema (with its error-code extensions) with a real
request Context.
"""

from __future__ import annotations

from typing import Any

from hub.auth.principal import ANONYMOUS, Principal
from hub.enums import PrincipalKind, Purpose
from hub.resources import Hub
from schema import get_schema
from schema.context import Context
from tests.decisions.helpers import ADMIN, BLACK, GOOD, Seeder, entity, lst, record

SCHEMA = get_schema(False)

ELIGIBILITY = """query($s: String!, $u: USCC!) {
  eligibility(scenario: $s, uscc: $u) {
    id scenario uscc outcome ruleVersion benefits { code value }
    reasons { ruleId legalBasis }
} }"""
RECORD = """mutation($id: ID!) {
  recordOutcome(input: {decisionId: $id, result: "LOAN_GRANTED", amount: 100000}) {
    result amount decision { outcome }
} }"""


async def gql(hub: Hub, who: Principal, query: str, **variables: Any) -> Any:
    ctx = Context(hub=hub, principal=who)
    result = await SCHEMA.execute(query, variable_values=variables, context_value=ctx)
    await ctx.finish(keep=not result.errors)
    if result.errors:
        return {
            "code": result.errors[0].extensions["code"],
            "message": result.errors[0].message,
        }
    return result.data


async def test_bank_flow_eligibility_then_outcome(hub: Hub, seed: Seeder) -> None:
    await seed.rows(
        entity(GOOD), record(GOOD, "T1", "TAX", "TAX_RATING", details={"rating": "A"})
    )
    bank = await seed.client(PrincipalKind.BANK)
    await seed.consent(
        GOOD, bank, Purpose.LENDING, *hub.scenarios.get("credit-loan").categories
    )
    data = await gql(hub, bank, ELIGIBILITY, s="credit-loan", u=GOOD)
    d = data["eligibility"]
    assert (d["outcome"], d["ruleVersion"], d["uscc"]) == ("ELIGIBLE", "2026.2", GOOD)
    assert d["benefits"][0] == {"code": "CREDIT_LOAN_TIER", "value": 3000000.0}
    assert all(r["legalBasis"] for r in d["reasons"])
    out = await gql(hub, bank, RECORD, id=d["id"])
    assert out["recordOutcome"] == {
        "result": "LOAN_GRANTED",
        "amount": 100000.0,
        "decision": {"outcome": "ELIGIBLE"},
    }
    stats = await gql(hub, ADMIN, "{ stats { decisions loansGranted loanAmount } }")
    assert stats["stats"] == {"decisions": 1, "loansGranted": 1, "loanAmount": 100000.0}


async def test_restricted_without_consent_and_errors_carry_codes(
    hub: Hub,
    seed: Seeder,
) -> None:
    await seed.rows(entity(BLACK), lst(BLACK), entity(GOOD))
    merchant = await seed.client(PrincipalKind.MERCHANT, "商户")
    data = await gql(hub, merchant, ELIGIBILITY, s="deposit-waiver", u=BLACK)
    assert data["eligibility"]["outcome"] == "RESTRICTED"
    assert data["eligibility"]["reasons"][0]["ruleId"] == "JP-BLACK-LIST"
    err = await gql(hub, merchant, ELIGIBILITY, s="deposit-waiver", u=GOOD)
    assert err["code"] == "CONSENT_REQUIRED"
    err = await gql(
        hub, merchant, ELIGIBILITY, s="deposit-waiver", u="91350100m000100y43"
    )
    assert err["code"] == "INVALID_USCC"
    assert (await gql(hub, ANONYMOUS, "{ scenarios { key } }"))["code"] == (
        "UNAUTHENTICATED"
    )
    assert (await gql(hub, merchant, "{ stats { decisions } }"))["code"] == "FORBIDDEN"


async def test_scenarios_and_publishing(hub: Hub, seed: Seeder) -> None:
    merchant = await seed.client(PrincipalKind.MERCHANT, "商户")
    data = await gql(
        hub, merchant, "{ scenarios { key purpose ruleVersion benefitCodes } }"
    )
    assert data["scenarios"][0] == {
        "key": "credit-loan",
        "purpose": "LENDING",
        "ruleVersion": "2026.2",
        "benefitCodes": ["CREDIT_LOAN_TIER", "COLLATERAL_FREE", "RATE_DISCOUNT"],
    }
    rules = hub.scenarios.get("merchant-discount").default_rules().as_data()
    publish = """mutation($r: JSON!, $dry: Boolean!) {
      publishScenarioRules(scenario: "merchant-discount", rules: $r, dryRun: $dry) {
        key ruleVersion } }"""
    dry = await gql(hub, ADMIN, publish, r={**rules, "version": "2026.5"}, dry=True)
    assert dry["publishScenarioRules"]["ruleVersion"] == "2026.5"
    bad = {**rules, "version": "2026.5", "rules": [{**rules["rules"][0], "x": 1}]}
    err = await gql(hub, ADMIN, publish, r=bad, dry=False)
    assert err == {
        "code": "VALIDATION_ERROR",
        "message": (
            "rules for merchant-discount rejected: rule 'MD-INEL-GRADE' (rules[0]): "
            "unknown field 'x'"
        ),
    }
    assert (await gql(hub, merchant, publish, r=rules, dry=True))["code"] == (
        "FORBIDDEN"
    )
    ok = await gql(hub, ADMIN, publish, r={**rules, "version": "2026.5"}, dry=False)
    assert ok["publishScenarioRules"] == {
        "key": "merchant-discount",
        "ruleVersion": "2026.5",
    }
    data = await gql(hub, merchant, "{ scenarios { key ruleVersion } }")
    assert {"key": "merchant-discount", "ruleVersion": "2026.5"} in data["scenarios"]


async def test_only_requester_records_outcome(hub: Hub, seed: Seeder) -> None:
    await seed.rows(entity(BLACK), lst(BLACK))
    bank = await seed.client(PrincipalKind.BANK)
    other = await seed.client(PrincipalKind.BANK, "另一家银行")
    d = (await gql(hub, bank, ELIGIBILITY, s="credit-loan", u=BLACK))["eligibility"]
    assert (await gql(hub, other, RECORD, id=d["id"]))["code"] == "FORBIDDEN"
