"""No decision from the future: the sandbox never sends one, the importer and the
connectors refuse one."""

from __future__ import annotations

import random
from collections.abc import Iterator, Set
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from connectors.protocol import EntityRef, FetchContext
from connectors.records import RecordIn, make_record
from connectors.registry import ConnectorRegistry
from connectors.sandbox import data
from hub.enums import DataCategory, PrincipalKind
from hub.importer.service import import_rows
from hub.models import CreditRecord, QuarantinedRow
from hub.uscc import make_uscc
from tests.api import Api

USCC = "91350100M000100Y43"
# Dates that say something was decided or happened (not until when it holds).
_DECISIONS = ("decided_on", "evaluated_on", "filed_on", "listed_on", "performed_on")
_DECISIONS += ("occurred_on", "confirmed_on", "overdue_since", "valid_from")


def _decision_dates(answer: Any, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(answer, dict):
        for k, v in answer.items():
            yield from _decision_dates(v, k)
    elif isinstance(answer, list):
        for v in answer:
            yield from _decision_dates(v, key)
    elif key in _DECISIONS and isinstance(answer, str):
        yield key, answer


@pytest.mark.parametrize("today", [date(2026, 11, 23), date(2027, 6, 30)])
def test_the_sandbox_never_sends_a_future_decision(today: date) -> None:
    rng = random.Random(2026)
    for _ in range(3000):
        uscc = make_uscc(rng)
        answers = [
            data.tax_answer(uscc, today),
            data.court_answer(uscc, today),
            data.market_answer(uscc, today, {"license", "penalty"}),
            data.utility_answer(uscc, today),
        ]
        for key, day in _decision_dates(answers):
            assert day <= today.isoformat(), (uscc, key, day)


def _row(decided: date) -> dict[str, Any]:
    return {
        "type": "record",
        "uscc": USCC,
        "source": "test",
        "source_id": f"F-{decided}",
        "category": "PENALTY",
        "kind": "ADMIN_PENALTY",
        "severity": "MINOR",
        "title": "警告",
        "decided_on": decided.isoformat(),
    }


async def test_the_importer_refuses_a_future_decision(api: Api) -> None:
    await api.entity(USCC)
    today = api.clock.today()
    summary = await import_rows(
        api.hub.sessionmaker,
        [_row(today), _row(today + timedelta(days=1))],
        api.clock,
        source_file="future.jsonl",
    )
    assert (summary.inserted, summary.quarantined) == (1, 1)
    async with api.hub.sessionmaker() as s:
        reason = await s.scalar(select(QuarantinedRow.reason))
    assert reason is not None and "in the future" in reason


class FromTheFuture:
    """An agency that reports a decision dated tomorrow."""

    name = "test-agency"
    categories = frozenset({DataCategory.PENALTY})
    ttl = 3600.0
    enabled = True

    async def fetch(
        self, entity: EntityRef, categories: Set[DataCategory], context: FetchContext
    ) -> list[RecordIn]:
        tomorrow = context.clock.today() + timedelta(days=1)
        fields = {**_row(tomorrow), "source": self.name}
        del fields["type"]
        return [make_record(**fields)]


async def test_a_connector_answer_with_a_future_decision_is_refused(api: Api) -> None:
    await api.entity(USCC)
    bank = await api.client(PrincipalKind.BANK)
    await api.grant(USCC, bank, "LENDING", ["BASIC", "PENALTY"])
    api.hub.connectors = ConnectorRegistry([FromTheFuture()])
    profile = (
        await api.data(
            '{ creditProfile(uscc: "%s", purpose: LENDING) '
            "{ sources { source stale error } } }" % USCC,
            token=bank.token,
        )
    )["creditProfile"]
    [status] = profile["sources"]
    assert status["stale"] is True
    assert (
        status["error"].startswith("MALFORMED_PAYLOAD") and "future" in status["error"]
    )
    async with api.hub.sessionmaker() as s:
        stored = await s.scalar(select(func.count()).select_from(CreditRecord))
        kept = await s.scalar(select(func.count()).select_from(QuarantinedRow))
    assert (stored, kept) == (0, 1)
