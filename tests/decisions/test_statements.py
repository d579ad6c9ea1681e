"""Statements per eligibility decision on PostgreSQL, counted on the wire.

A warm decision under a usable consent is five statements: BEGIN; the
entity, the consent, the records, the lists and the cached evaluation in one
SELECT (``hub.decisions.gather``); the decision row; the audit row with the
consent's use count (one statement, ``hub.audit.companions``); COMMIT.
"""

from __future__ import annotations

from sqlalchemy import text

from hub.audit.chain import seal_pending
from hub.enums import PrincipalKind
from tests.api import Api
from tests.statements import counting

GOOD = "91350100M000100Y43"
OTHER = "91110000100017643K"
ELIGIBILITY = """query($u: USCC!) { eligibility(scenario: "credit-loan", uscc: $u) {
  id outcome benefits { code value } reasons { ruleId } ruleVersion } }"""
LOAN = ["BASIC", "EVALUATION", "TAX", "PENALTY", "JUDICIAL"]


async def test_a_warm_decision_is_five_statements(pg_api: Api) -> None:
    api = pg_api
    bank = await api.client(PrincipalKind.BANK)
    for code in (GOOD, OTHER):
        await api.entity(code)
        await api.record(code, f"T-{code}")
        await api.record(
            code,
            f"P-{code}",
            category="PENALTY",
            kind="ADMIN_PENALTY",
            severity="MINOR",
            title="罚款",
        )
        await api.grant(code, bank, "LENDING", LOAN)
    # warm: the client status, the rule version, each entity's evaluation
    for code in (GOOD, OTHER):
        await api.data(ELIGIBILITY, {"u": code}, bank.token)
    await seal_pending(api.hub.sessionmaker)
    with counting(api.hub.engine) as seen:
        seen.on = True
        data = await api.data(ELIGIBILITY, {"u": GOOD}, bank.token)
        seen.on = False
    decision = data["eligibility"]
    assert decision["outcome"] == "ELIGIBLE"
    statements = [" ".join(s.split())[:40] for s in seen.sql]
    assert len(seen.sql) <= 5, statements
    assert statements[0] == "BEGIN;", statements
    assert "credit_records" in seen.sql[1] and "list_memberships" in seen.sql[1]
    assert "evaluations" in seen.sql[1] and "consents" in seen.sql[1]
    assert len(seen.sql) == 5, statements
    # the decision, its audit row and the use count are written together
    async with api.hub.engine.connect() as conn:
        row = (
            await conn.execute(
                text(
                    "SELECT d.outcome, a.action, a.outcome, c.reads_used "
                    "FROM decisions d JOIN audit_events a "
                    "ON a.detail::jsonb ->> 'decision' = d.id "
                    "JOIN consents c ON c.id = d.consent_id WHERE d.id = :id"
                ),
                {"id": decision["id"]},
            )
        ).one()
    assert tuple(row) == ("ELIGIBLE", "eligibility.check", "GRANTED", 2)
