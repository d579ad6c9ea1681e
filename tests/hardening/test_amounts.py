"""Money is CNY to the fen, bounded; ``stats`` survives whatever was stored."""

from __future__ import annotations

from sqlalchemy import update

from hub.db import session_scope
from hub.enums import PrincipalKind
from hub.models import Outcome
from tests.api import Api

USCC = "91350100M000100Y43"
DECIDE = """query { eligibility(scenario: "credit-loan", uscc: "%s") { id } }""" % USCC
REPORT = """mutation($i: OutcomeInput!) { recordOutcome(input: $i) { id amount } }"""
STATS = "{ stats { loansGranted loanAmount } }"


async def _decision(api: Api, bank) -> str:  # type: ignore[no-untyped-def]
    cats = ["BASIC", "EVALUATION", "TAX", "PENALTY", "JUDICIAL"]
    await api.grant(USCC, bank, "LENDING", cats)
    return str((await api.data(DECIDE, token=bank.token))["eligibility"]["id"])


def _outcome(decision: str, amount: object, result: str = "LOAN_GRANTED") -> dict:
    return {"i": {"decisionId": decision, "result": result, "amount": amount}}


async def test_amounts_out_of_bounds_are_refused(api: Api) -> None:
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    admin = await api.client(PrincipalKind.ADMIN)
    decision = await _decision(api, bank)
    for amount in (1e308, 1e11 + 1, -1, 0.001, 1234.565):
        code = await api.error_code(REPORT, _outcome(decision, amount), bank.token)
        assert code == "VALIDATION_ERROR", amount
    assert (await api.data(STATS, token=admin.token))["stats"] == {
        "loansGranted": 0,
        "loanAmount": 0.0,
    }
    done = await api.data(REPORT, _outcome(decision, 1500000.5), bank.token)
    assert done["recordOutcome"]["amount"] == 1500000.5
    assert (await api.data(STATS, token=admin.token))["stats"] == {
        "loansGranted": 1,
        "loanAmount": 1500000.5,
    }


async def test_stats_survive_amounts_stored_before_the_bound(api: Api) -> None:
    # Two outcomes of 1e308 (accepted before amounts were bounded) summed to
    # infinity and broke stats for good.
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    admin = await api.client(PrincipalKind.ADMIN)
    first = await _decision(api, bank)
    second = str((await api.data(DECIDE, token=bank.token))["eligibility"]["id"])
    for decision in (first, second):
        await api.data(REPORT, _outcome(decision, 2000000), bank.token)
    async with session_scope(api.hub.sessionmaker) as s:
        await s.execute(update(Outcome).values(amount=1e308))
    body = await api.gql(STATS, token=admin.token)
    assert "errors" not in body, body
    assert body["data"]["stats"] == {"loansGranted": 2, "loanAmount": 0.0}
