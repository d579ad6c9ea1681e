"""Loading the facts a scenario decides on, only from granted categories."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub.decisions.fact_specs import build_facts
from hub.enums import DataCategory
from hub.errors import ErrorCode, HubError
from hub.evaluation.inputs import EntityData
from hub.evaluation.repository import load_entity_data
from hub.evaluation.service import _current as evaluation_for
from hub.models import Entity

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = ["load_facts", "load_public"]


async def load_facts(
    session: AsyncSession,
    hub: Hub,
    uscc: str,
    categories: Iterable[DataCategory],
    *,
    entity: Entity | None = None,
) -> tuple[dict[str, Any], EntityData]:
    """Facts of ``categories`` (plus public joint-punishment data)."""
    cats = frozenset(categories)
    today = hub.clock.today()
    data = await load_entity_data(
        session, uscc, today=today, categories=cats, entity=entity
    )
    if data is None:
        raise HubError(f"No entity {uscc} is registered.", ErrorCode.NOT_FOUND)
    evaluation = None
    if DataCategory.EVALUATION in cats:
        evaluation = await evaluation_for(session, hub, uscc)
    facts = build_facts(data, cats, today=today, evaluation=evaluation)
    if evaluation is not None:
        facts["evaluation_model"] = evaluation.model_version
    return facts, data


async def load_public(
    session: AsyncSession, hub: Hub, uscc: str, *, entity: Entity | None = None
) -> EntityData | None:
    """Only public joint-punishment data: BLACK/RED lists, ACTIVE SERIOUS records."""
    return await load_entity_data(
        session, uscc, today=hub.clock.today(), categories=(), entity=entity
    )
