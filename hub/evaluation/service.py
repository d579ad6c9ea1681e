"""Cached public credit evaluation of one entity.

The cached row in ``evaluations`` is reused while it is still right: same
``entities.data_version`` (bumped on every change to records or lists), same
model version, evaluated on today's China calendar day (publication windows
and years of establishment move with the calendar, not with data changes) and
a grade consistent with the configured thresholds.  Otherwise the evaluation is
recomputed and stored in the caller's unit of work (services never commit);
a grade that differs from the stored one is announced as ``GRADE_CHANGED``
through the outbox, in the same unit of work.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from hub.access.door import Grant, admit
from hub.clock import calendar_day
from hub.enums import DataCategory, EventType, Grade
from hub.errors import ErrorCode, HubError
from hub.evaluation import repository
from hub.evaluation.model import EvaluationModel, default_model
from hub.evaluation.scoring import evaluate, grade_for
from hub.evaluation.types import EvaluationResult, Factor
from hub.events.outbox import emit
from hub.models import EvaluationRow

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = ["evaluation_for", "evaluations_for", "model_of", "refresh_evaluation"]


def model_of(hub: Hub) -> EvaluationModel:
    """The model in force: ``hub.evaluation_model`` or the default."""
    return hub.evaluation_model or default_model()


def _from_row(row: EvaluationRow) -> EvaluationResult:
    factors = tuple(Factor.from_dict(f) for f in row.factors)
    return EvaluationResult(
        uscc=row.uscc,
        score=row.score,
        grade=Grade(row.grade),
        model_version=row.model_version,
        evaluated_at=row.evaluated_at,
        base_score=row.score - sum(f.impact for f in factors),
        factors=factors,
    )


async def evaluation_for(
    session: AsyncSession,
    hub: Hub,
    grant: Grant,
    *,
    cached: tuple[int, EvaluationRow | None] | None = None,
) -> EvaluationResult:
    """The entity's evaluation, recomputed when its data changed.

    Only under a door-made grant covering EVALUATION (interfaces.md "Profile
    categories"); raises ``NOT_FOUND`` for an unknown entity.  ``cached``:
    ``(entities.data_version, cached row or None)`` already read in this
    unit of work (spares the query).
    """
    admit(grant)
    if DataCategory.EVALUATION not in grant.categories:
        raise HubError(
            "This access does not cover EVALUATION.", ErrorCode.CONSENT_REQUIRED
        )
    return await _current(session, hub, grant.uscc, cached)


async def evaluations_for(
    session: AsyncSession, hub: Hub, grants: Sequence[Grant]
) -> dict[str, EvaluationResult]:
    """:func:`evaluation_for` for many grants: one statement for the cached
    rows; only entities whose cached row is stale are recomputed."""
    admit(*grants)
    if any(DataCategory.EVALUATION not in g.categories for g in grants):
        raise HubError(
            "This access does not cover EVALUATION.", ErrorCode.CONSENT_REQUIRED
        )
    usccs = [g.uscc for g in grants]
    cached = await repository.cached_evaluations(session, usccs)
    out: dict[str, EvaluationResult] = {}
    for uscc in usccs:
        found = cached.get(uscc)
        if found is None:
            raise HubError(f"No entity {uscc} is registered.", ErrorCode.NOT_FOUND)
        version, row = found
        if row is not None and _fresh(hub, row, version):
            out[uscc] = _from_row(row)
        else:
            out[uscc] = await _current(session, hub, uscc)
    return out


def _fresh(hub: Hub, row: EvaluationRow, data_version: int) -> bool:
    return (
        row.data_version == data_version
        and row.model_version == model_of(hub).model_version
        # The China calendar day, like ``today`` (hub.clock): a UTC .date()
        # never matches it between 16:00 and 24:00 UTC.
        and calendar_day(row.evaluated_at) == hub.clock.today()
        and row.grade == grade_for(row.score, hub.settings.grade_thresholds)
    )


async def _current(
    session: AsyncSession,
    hub: Hub,
    uscc: str,
    cached: tuple[int, EvaluationRow | None] | None = None,
) -> EvaluationResult:
    if cached is None:
        cached = await repository.cached_evaluation(session, uscc)
    if cached is None:
        raise HubError(f"No entity {uscc} is registered.", ErrorCode.NOT_FOUND)
    data_version, row = cached
    model = model_of(hub)
    thresholds = hub.settings.grade_thresholds
    today = hub.clock.today()
    if row is not None and _fresh(hub, row, data_version):
        return _from_row(row)
    data = await repository.load_entity_data(session, uscc, today=today)
    if data is None:  # deleted between the two statements
        raise HubError(f"No entity {uscc} is registered.", ErrorCode.NOT_FOUND)
    result = evaluate(data, model, thresholds, today=today, now=hub.clock.now())
    await repository.save_evaluation(session, result, data_version)
    if row is not None and row.grade != result.grade.value:
        # Monitoring banks covering EVALUATION hear of it (contract v2);
        # readers recomputing at once announce it once (dedupe_key).
        await emit(
            session,
            EventType.GRADE_CHANGED,
            subject=uscc,
            at=hub.clock.now(),
            grade={"from": row.grade, "to": result.grade.value, "score": result.score},
            dedupe_key=f"grade:{uscc}:{data_version}:{model.model_version}:"
            f"{today.isoformat()}:{row.grade}>{result.grade.value}",
        )
    return result


async def refresh_evaluation(session: AsyncSession, hub: Hub, uscc: str) -> None:
    """Recompute and store the evaluation after the entity's data changed
    (maintenance, repairs).  Returns nothing: reading it takes a grant."""
    await _current(session, hub, uscc)
