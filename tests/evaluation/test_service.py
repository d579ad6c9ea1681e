"""Cached evaluation over the database, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from hub.db import session_scope
from hub.evaluation.service import evaluation_for
from hub.models import EvaluationRow
from hub.resources import Hub
from tests.decisions.helpers import GOOD, Seeder, entity, lst, record
from tests.grants import own_grant


async def evaluate_now(hub: Hub):  # type: ignore[no-untyped-def]
    async with session_scope(hub.sessionmaker) as s:
        return await evaluation_for(s, hub, await own_grant(s, hub, GOOD))


async def cached(hub: Hub) -> EvaluationRow | None:
    async with hub.sessionmaker() as s:
        return await s.scalar(select(EvaluationRow).where(EvaluationRow.uscc == GOOD))


async def test_evaluation_is_cached_and_recomputed_when_data_changes(
    hub: Hub,
    seed: Seeder,
) -> None:
    # given an entity with tax A (2015 → 11 full years: +100)
    await seed.rows(
        entity(GOOD), record(GOOD, "T1", "TAX", "TAX_RATING", details={"rating": "A"})
    )
    first = await evaluate_now(hub)
    assert (first.score, first.grade, first.model_version) == (
        850,
        "A",
        "kaifeng-1000-v1",
    )
    row = await cached(hub)
    assert row is not None and (row.score, row.data_version) == (850, 1)
    # when nothing changed, the cached row answers (same evaluatedAt)
    hub.clock.advance(hours=1)  # type: ignore[attr-defined]
    again = await evaluate_now(hub)
    assert (again.evaluated_at, again.factors, again.base_score) == (
        first.evaluated_at,
        first.factors,
        600,
    )
    # when a penalty is imported, data_version moves and the score follows
    await seed.rows(record(GOOD, "P1", "PENALTY", "ADMIN_PENALTY", "ORDINARY"))
    changed = await evaluate_now(hub)
    assert (changed.score, changed.grade) == (770, "B")
    assert changed.evaluated_at == hub.clock.now()
    row = await cached(hub)
    assert row is not None and (row.score, row.data_version) == (770, 2)


async def test_only_published_countable_records_count(hub: Hub, seed: Seeder) -> None:
    await seed.rows(
        entity(GOOD, established="2026-01-01"),
        record(GOOD, "A", "PENALTY", "P", "ORDINARY", status="REVOKED"),
        record(GOOD, "B", "PENALTY", "P", "ORDINARY", status="REPAIRED"),
        record(GOOD, "C", "PENALTY", "P", "ORDINARY", status="EXPIRED"),
        record(GOOD, "D", "PENALTY", "P", "ORDINARY", publish_until="2026-11-22"),
        record(GOOD, "E", "PENALTY", "P", "ORDINARY", publish_from="2026-11-24"),
        record(GOOD, "F", "PENALTY", "P", "ORDINARY", publish_until="2026-11-23"),
        lst(GOOD, kind="BLACK", since="2027-01-01"),
    )
    result = await evaluate_now(hub)
    # only F (its last published day is today) counts
    assert [(f.code, f.impact) for f in result.factors] == [("PENALTY_ORDINARY", -80)]
    assert result.score == 520


async def test_a_new_day_recomputes(hub: Hub, seed: Seeder) -> None:
    await seed.rows(
        entity(GOOD),
        record(GOOD, "F", "PENALTY", "P", "ORDINARY", publish_until="2026-11-23"),
    )
    assert (await evaluate_now(hub)).score == 620  # 600 + 100 - 80
    hub.clock.advance(days=1)  # type: ignore[attr-defined]
    assert (await evaluate_now(hub)).score == 700  # the penalty's window closed


async def test_cache_holds_over_the_china_day_after_16_utc(
    hub: Hub, seed: Seeder
) -> None:
    # given 17:00 UTC on 23 Nov — already 01:00 on 24 Nov in China
    hub.clock.at = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)  # type: ignore[attr-defined]
    await seed.rows(
        entity(GOOD), record(GOOD, "T1", "TAX", "TAX_RATING", details={"rating": "A"})
    )
    first = await evaluate_now(hub)
    assert first.evaluated_at == datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
    # when read again later the same China day (23:30 UTC = 07:30 on 24 Nov)
    hub.clock.advance(hours=6, minutes=30)  # type: ignore[attr-defined]
    again = await evaluate_now(hub)
    # then the cached row answers and is not rewritten
    assert again.evaluated_at == datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
    row = await cached(hub)
    assert row is not None and row.evaluated_at == datetime(
        2026, 11, 23, 17, 0, tzinfo=UTC
    )
    # and at 16:00 UTC on 24 Nov (China 25 Nov, a new day) it is recomputed
    hub.clock.at = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)  # type: ignore[attr-defined]
    assert (await evaluate_now(hub)).evaluated_at == datetime(
        2026, 11, 24, 16, 0, tzinfo=UTC
    )


async def test_unknown_entity_is_not_found(hub: Hub) -> None:
    with pytest.raises(Exception) as err:
        await evaluate_now(hub)
    assert getattr(err.value, "code", None) == "NOT_FOUND"
