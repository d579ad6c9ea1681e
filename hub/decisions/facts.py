"""Loading the facts a scenario decides on, only under a grant of the door.

Both loaders take the :class:`~hub.access.door.Grant` the door made for the
access and refuse anything else (:func:`~hub.access.door.admit`): the
enterprise and the categories come from the grant, so nothing is loaded that
the door has not decided on and audited.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub.access.door import Grant, admit
from hub.decisions.fact_specs import build_facts
from hub.enums import DataCategory
from hub.errors import ErrorCode, HubError
from hub.evaluation.inputs import EntityData
from hub.evaluation.repository import load_entity_data
from hub.evaluation.service import evaluation_for

if TYPE_CHECKING:
    from hub.models import Entity
    from hub.resources import Hub

__all__ = ["load_facts", "load_public"]


async def load_facts(
    session: AsyncSession, hub: Hub, grant: Grant, *, entity: Entity | None = None
) -> tuple[dict[str, Any], EntityData]:
    """Facts of the grant's categories, and the public list memberships.

    ``entity``: the row the caller already holds (spares a query).
    """
    admit(grant)
    cats = grant.categories
    today = hub.clock.today()
    data = await load_entity_data(
        session, grant.uscc, today=today, categories=cats, entity=entity
    )
    if data is None:
        raise HubError(f"No entity {grant.uscc} is registered.", ErrorCode.NOT_FOUND)
    evaluation = None
    if DataCategory.EVALUATION in cats:
        evaluation = await evaluation_for(session, hub, grant)
    facts = build_facts(data, cats, today=today, evaluation=evaluation)
    if evaluation is not None:
        facts["evaluation_model"] = evaluation.model_version
    return facts, data


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
