"""recordOutcome: only the requester, idempotent, audited."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hub.db import session_scope
from hub.decisions.service import check_eligibility, record_outcome
from hub.enums import PrincipalKind, Purpose
from hub.errors import HubError
from hub.models import Outcome
from hub.resources import Hub
from tests.decisions.helpers import GOOD, Seeder, entity, events, record


@pytest.fixture
async def loan(hub: Hub, seed: Seeder):  # type: ignore[no-untyped-def]
    await seed.rows(
        entity(GOOD), record(GOOD, "T1", "TAX", "TAX_RATING", details={"rating": "A"})
    )
    bank = await seed.client(PrincipalKind.BANK)
    await seed.consent(
        GOOD, bank, Purpose.LENDING, *hub.scenarios.get("credit-loan").categories
    )
    async with session_scope(hub.sessionmaker) as s:
        d = await check_eligibility(s, hub, bank, "credit-loan", GOOD)
    return bank, d.id


async def report(
    hub: Hub,
    who,
    decision_id: str,
    result: str = "LOAN_GRANTED",  # type: ignore[no-untyped-def]
    amount: float | None = 2_000_000,
    key: str | None = None,
) -> Outcome:
    async with session_scope(hub.sessionmaker) as s:
        return await record_outcome(
            s,
            hub,
            who,
            decision_id=decision_id,
            result=result,
            amount=amount,
            idempotency_key=key,
        )


async def count(hub: Hub) -> int:
    async with hub.sessionmaker() as s:
        return int(await s.scalar(select(func.count()).select_from(Outcome)) or 0)


async def test_the_requester_records_an_outcome_once(hub: Hub, loan) -> None:  # type: ignore[no-untyped-def]
    bank, decision_id = loan
    first = await report(hub, bank, decision_id)
    assert (first.result, first.amount, first.recorded_by) == (
        "LOAN_GRANTED",
        2_000_000,
        bank.id,
    )
    # the same (decision, result) again returns the first outcome
    again = await report(hub, bank, decision_id, amount=1)
    assert (again.id, again.amount) == (first.id, 2_000_000)
    assert await count(hub) == 1
    async with hub.sessionmaker() as s:
        assert (await events(s, GOOD))[-1] == ("outcome.record", "RECORDED")
        assert [e for e in await events(s, GOOD) if e[0] == "outcome.record"] == [
            ("outcome.record", "RECORDED")
        ]


async def test_another_client_may_not_report(hub: Hub, seed: Seeder, loan) -> None:  # type: ignore[no-untyped-def]
    _, decision_id = loan
    other = await seed.client(PrincipalKind.BANK, "另一家银行")
    with pytest.raises(HubError) as err:
        await report(hub, other, decision_id)
    assert err.value.code == "FORBIDDEN"
    assert await count(hub) == 0


async def test_idempotency_key_replays_and_conflicts(hub: Hub, loan) -> None:  # type: ignore[no-untyped-def]
    bank, decision_id = loan
    first = await report(hub, bank, decision_id, key="k-1")
    replay = await report(hub, bank, decision_id, key="k-1")
    assert replay.id == first.id and await count(hub) == 1
    # the same key with other input is a CONFLICT, never the first answer
    with pytest.raises(HubError) as other:
        await report(hub, bank, decision_id, result="LOAN_DECLINED", key="k-1")
    assert other.value.code == "CONFLICT" and await count(hub) == 1
    # a key first used for another operation is a CONFLICT
    async with session_scope(hub.sessionmaker) as s:
        from hub.idempotency import IdempotentRequest

        IdempotentRequest(bank.id, "k-2", "consent.grant", "fp").remember(
            s, "x", hub.clock.now()
        )
    with pytest.raises(HubError) as err:
        await report(hub, bank, decision_id, key="k-2")
    assert err.value.code == "CONFLICT"


@pytest.mark.parametrize(
    ("result", "amount"), [("granted", None), ("LOAN_GRANTED", -5.0)]
)
async def test_bad_input_is_a_validation_error(hub: Hub, loan, result, amount) -> None:  # type: ignore[no-untyped-def]
    bank, decision_id = loan
    with pytest.raises(HubError) as err:
        await report(hub, bank, decision_id, result=result, amount=amount)
    assert err.value.code == "VALIDATION_ERROR"


async def test_unknown_decision(hub: Hub, loan) -> None:  # type: ignore[no-untyped-def]
    bank, _ = loan
    with pytest.raises(HubError) as err:
        await report(hub, bank, "nope")
    assert err.value.code == "NOT_FOUND"
