"""The 信易贷 funnel (stats.funnel) and outcomes that carry the request's reference."""

from __future__ import annotations

from hub.enums import PrincipalKind
from tests.api import Api
from tests.consent.helpers import APPROVE, OTHER, REJECT, USCC, ask

ELIGIBILITY = """query($u: USCC!) { eligibility(scenario: "credit-loan", uscc: $u)
  { id } }"""
OUTCOME = """mutation($i: OutcomeInput!) { recordOutcome(input: $i) {
  result amount reference } }"""
FUNNEL = """{ stats { funnel { requests approved rejected expired decisions
  loansGranted medianHoursToAnswer medianDaysToLoan } } }"""
THIRD = "91410100QQ0NE8PR3E"
SCENARIO = ["BASIC", "EVALUATION", "JUDICIAL", "PENALTY", "TAX"]


async def test_funnel_from_request_to_loan(api: Api) -> None:
    for u in (USCC, OTHER, THIRD):
        await api.entity(u)
    bank = await api.client(PrincipalKind.BANK)
    admin = await api.client(PrincipalKind.ADMIN)
    # three requests at once; the first answered yes after 3 h, the second
    # no after 1 h, the third never
    loan = await ask(api, bank, reference="LOAN-1", categories=SCENARIO)
    declined = await ask(api, bank, subject=OTHER, reference="LOAN-2")
    await ask(api, bank, subject=THIRD, reference="LOAN-3")
    api.clock.advance(hours=1)
    await api.data(
        REJECT, {"id": declined["id"], "r": "暂不需要"}, api.subject_token(OTHER)
    )
    api.clock.advance(hours=2)
    await api.data(APPROVE, {"i": {"id": loan["id"]}}, api.subject_token(USCC))
    # a decision under it, and the loan reported two days after the approval
    api.clock.advance(days=1)
    token = api.client_token(bank)
    decision = (await api.data(ELIGIBILITY, {"u": USCC}, token))["eligibility"]["id"]
    api.clock.advance(days=1)
    token = api.client_token(bank)
    wrong = {"decisionId": decision, "result": "LOAN_GRANTED", "reference": "LOAN-9"}
    assert await api.error_code(OUTCOME, {"i": wrong}, token) == "VALIDATION_ERROR"
    out = await api.data(
        OUTCOME,
        {"i": {"decisionId": decision, "result": "LOAN_GRANTED", "amount": 1.5e6}},
        token,
    )
    assert out["recordOutcome"] == {
        "result": "LOAN_GRANTED",
        "amount": 1.5e6,
        "reference": "LOAN-1",
    }
    # decisions under consents granted directly are not part of the funnel
    await api.grant(OTHER, bank, "LENDING", SCENARIO)
    await api.gql(ELIGIBILITY, {"u": OTHER}, token)
    # the unanswered request has expired by now (7 days)
    api.clock.advance(days=5)
    stats = await api.data(FUNNEL, token=api.client_token(admin))
    assert stats["stats"]["funnel"] == {
        "requests": 3,
        "approved": 1,
        "rejected": 1,
        "expired": 1,
        "decisions": 1,
        "loansGranted": 1,
        "medianHoursToAnswer": 2.0,
        "medianDaysToLoan": 2.0,
    }


async def test_an_outcome_without_a_request_keeps_the_callers_reference(
    api: Api,
) -> None:
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    await api.grant(USCC, bank, "LENDING", SCENARIO)
    decision = (await api.data(ELIGIBILITY, {"u": USCC}, bank.token))["eligibility"]
    out = await api.data(
        OUTCOME,
        {
            "i": {
                "decisionId": decision["id"],
                "result": "LOAN_DECLINED",
                "reference": "BR-77",
            }
        },
        bank.token,
    )
    assert out["recordOutcome"]["reference"] == "BR-77"
    admin = await api.client(PrincipalKind.ADMIN)
    funnel = (await api.data(FUNNEL, token=admin.token))["stats"]["funnel"]
    assert funnel == {
        "requests": 0,
        "approved": 0,
        "rejected": 0,
        "expired": 0,
        "decisions": 0,
        "loansGranted": 0,
        "medianHoursToAnswer": None,
        "medianDaysToLoan": None,
    }
