"""Loading the facts a scenario decides on, only under a grant of the door.

Both loaders take the :class:`~hub.access.door.Grant` the door made for the
access and refuse anything else (:func:`~hub.access.door.admit`): the
enterprise and the categories come from the grant, so nothing is loaded that
the door has not decided on and audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub.access.door import Grant, admit
from hub.decisions.fact_specs import build_facts
from hub.decisions.gather import Gathered
from hub.enums import DataCategory
from hub.errors import ErrorCode, HubError
from hub.evaluation.inputs import EntityData
from hub.evaluation.repository import load_entities_data, load_entity_data
from hub.evaluation.service import evaluation_for, evaluations_for

if TYPE_CHECKING:
    from hub.models import Entity
    from hub.resources import Hub

__all__ = ["load_facts", "load_facts_many", "load_public"]


async def load_facts(
    session: AsyncSession,
    hub: Hub,
    grant: Grant,
    *,
    entity: Entity | None = None,
    gathered: Gathered | None = None,
) -> tuple[dict[str, Any], EntityData]:
    """Facts of the grant's categories, and the public list memberships.

    ``entity``: the row the caller already holds (spares a query).
    ``gathered``: what :func:`hub.decisions.gather.gather` read for this
    grant (spares the records, lists and cached-evaluation queries).
    """
    admit(grant)
    cats = grant.categories
    data = gathered.data_for(grant) if gathered is not None else None
    if data is not None:
        assert gathered is not None
        today = gathered.today  # the day the statement filtered by
    else:
        today = hub.clock.today()
        data = await load_entity_data(
            session, grant.uscc, today=today, categories=cats, entity=entity
        )
    if data is None:
        raise HubError(f"No entity {grant.uscc} is registered.", ErrorCode.NOT_FOUND)
    evaluation = None
    if DataCategory.EVALUATION in cats:
        cached = gathered.cached_evaluation_for(grant) if gathered is not None else None
        evaluation = await evaluation_for(session, hub, grant, cached=cached)
    facts = build_facts(data, cats, today=today, evaluation=evaluation)
    if evaluation is not None:
        facts["evaluation_model"] = evaluation.model_version
    return facts, data


async def load_facts_many(
    session: AsyncSession, hub: Hub, grants: Sequence[Grant], *, chunk: int = 1000
) -> dict[str, dict[str, Any]]:
    """:func:`load_facts` for many grants of the same categories, a constant
    number of statements per ``chunk`` entities (graded-supervision draws)."""
    admit(*grants)
    if not grants:
        return {}
    cats = grants[0].categories
    if any(g.categories != cats for g in grants):
        raise ValueError("load_facts_many takes grants of the same categories")
    today = hub.clock.today()
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(grants), chunk):
        part = grants[start : start + chunk]
        usccs = [g.uscc for g in part]
        data = await load_entities_data(session, usccs, today=today, categories=cats)
        evaluations = (
            await evaluations_for(session, hub, part)
            if DataCategory.EVALUATION in cats
            else {}
        )
        for uscc in usccs:
            if uscc not in data:
                raise HubError(f"No entity {uscc} is registered.", ErrorCode.NOT_FOUND)
            evaluation = evaluations.get(uscc)
            facts = build_facts(data[uscc], cats, today=today, evaluation=evaluation)
            if evaluation is not None:
                facts["evaluation_model"] = evaluation.model_version
            out[uscc] = facts
    return out


async def load_public(
    session: AsyncSession, hub: Hub, grant: Grant, *, entity: Entity | None = None
) -> EntityData | None:
    """Only the public lists: RED/BLACK memberships in force, no record at all.

    The grant must reach BASIC, the category list memberships come with
    (``policy.yaml``, basis PUBLIC_LIST).  Of BASIC only that public part is
    loaded: joint punishment follows the lists (国办发〔2019〕35号 §八/§十;
    平信用〔2021〕1号 §11), so no record of any category is needed or read.
    """
    admit(grant)
    if DataCategory.BASIC not in grant.categories:
        raise ValueError(
            "public lists come with BASIC; open the door on the basis "
            "PUBLIC_LIST (or a consent covering BASIC) first"
        )
    return await load_entity_data(
        session, grant.uscc, today=hub.clock.today(), categories=(), entity=entity
    )
