"""All SQL of the evaluation domain: countable data and the evaluation cache."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Date, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db import upsert_insert
from hub.enums import DataCategory, ListKind
from hub.evaluation.inputs import EntityData, ListView, RecordView
from hub.evaluation.types import EvaluationResult
from hub.models import CreditRecord, Entity, EvaluationRow, ListMembership
from hub.profiles.visibility import list_visible, record_visible

__all__ = [
    "cached_evaluation",
    "cached_evaluations",
    "load_entities_data",
    "load_entity_data",
    "save_evaluation",
]

PUBLIC_LISTS = (ListKind.RED.value, ListKind.BLACK.value, ListKind.WHITE.value)


_rec = CreditRecord
_lm = ListMembership
# The columns a RecordView / ListView is made of, in their order (the
# decisions' one-statement gather reads the same).
RECORD_VIEW = (
    _rec.id,
    _rec.category,
    _rec.kind,
    _rec.severity,
    _rec.status,
    _rec.decided_on,
    _rec.details,
)
LIST_VIEW = (_lm.kind, _lm.list_name, _lm.basis, _lm.since, _lm.until)
_TODAY = bindparam("today", type_=Date)
_ENTITY = select(Entity.kind, Entity.status, Entity.established_on).where(
    Entity.uscc == bindparam("uscc")
)


def _records_statement(filtered: bool) -> Any:
    # Built once per shape; the hot path only binds values.  What a client
    # may see is what counts: published today and neither EXPIRED, REVOKED
    # nor REPAIRED (信用修复管理办法; hub.profiles.visibility).
    where: list[Any] = [
        _rec.uscc == bindparam("uscc"),
        record_visible(_TODAY, for_subject=False),  # type: ignore[arg-type]
    ]
    if filtered:
        # Only the categories asked for: no record outside them is loaded,
        # not even a SERIOUS one — joint punishment follows the lists, never
        # single records (国办发〔2019〕35号 §八/§十; 平信用〔2021〕1号 §11).
        where.append(_rec.category.in_(bindparam("cats", expanding=True)))
    return select(*RECORD_VIEW).where(*where).order_by(_rec.id)


_RECORDS = {filtered: _records_statement(filtered) for filtered in (False, True)}
_LISTS = (
    select(*LIST_VIEW)
    .where(
        _lm.uscc == bindparam("uscc"),
        _lm.kind.in_(bindparam("kinds", expanding=True)),
        list_visible(_TODAY),  # type: ignore[arg-type]
    )
    .order_by(_lm.since, _lm.id)
)


async def load_entity_data(
    session: AsyncSession,
    uscc: str,
    *,
    today: date,
    categories: Iterable[DataCategory] | None = None,
    entity: Entity | None = None,
) -> EntityData | None:
    """The entity's countable data; ``None`` when the entity is unknown.

    ``categories=None`` loads every category (the evaluation itself).  With a
    set, only records of those categories are loaded, plus the RED/BLACK list
    memberships in force, which are public (interfaces.md "Profile
    categories"; joint punishment follows them).  FOCUS lists come with
    PENALTY.  An empty set loads the public lists only.
    """
    # ``entity``: the row the caller already holds (spares a query).
    ent: Any = entity or (await session.execute(_ENTITY, {"uscc": uscc})).first()
    if ent is None:
        return None
    params: dict[str, Any] = {"uscc": uscc, "today": today}
    list_kinds = [k.value for k in ListKind]
    if categories is not None:
        cats = {str(c) for c in categories}
        params["cats"] = sorted(cats)
        if DataCategory.PENALTY not in cats:
            list_kinds = list(PUBLIC_LISTS)
    records: tuple[RecordView, ...] = ()
    if categories is None or params["cats"]:
        rows = await session.execute(_RECORDS[categories is not None], params)
        records = tuple(RecordView(*row) for row in rows)
    lists = await session.execute(
        _LISTS, {"uscc": uscc, "today": today, "kinds": list_kinds}
    )
    return EntityData(
        uscc,
        ent.kind,
        ent.status,
        ent.established_on,
        records,
        tuple(ListView(*row) for row in lists),
    )


async def load_entities_data(
    session: AsyncSession,
    usccs: Sequence[str],
    *,
    today: date,
    categories: Iterable[DataCategory],
) -> dict[str, EntityData]:
    """:func:`load_entity_data` for many entities in three statements (the
    same filters); unknown codes are left out."""
    cats = sorted({str(c) for c in categories})
    kinds = [k.value for k in ListKind]
    if DataCategory.PENALTY.value not in cats:
        kinds = list(PUBLIC_LISTS)
    entities = await session.execute(
        select(Entity.uscc, Entity.kind, Entity.status, Entity.established_on).where(
            Entity.uscc.in_(list(usccs))
        )
    )
    records: dict[str, list[RecordView]] = {u: [] for u in usccs}
    rows = await session.execute(
        select(_rec.uscc, *RECORD_VIEW)
        .where(
            _rec.uscc.in_(list(usccs)),
            record_visible(today, for_subject=False),
            _rec.category.in_(cats),
        )
        .order_by(_rec.uscc, _rec.id)
    )
    for uscc, *rest in rows:
        records[uscc].append(RecordView(*rest))
    lists: dict[str, list[ListView]] = {u: [] for u in usccs}
    found = await session.execute(
        select(_lm.uscc, *LIST_VIEW)
        .where(_lm.uscc.in_(list(usccs)), _lm.kind.in_(kinds), list_visible(today))
        .order_by(_lm.uscc, _lm.since, _lm.id)
    )
    for uscc, *rest in found:
        lists[uscc].append(ListView(*rest))
    return {
        uscc: EntityData(
            uscc, kind, status, established, tuple(records[uscc]), tuple(lists[uscc])
        )
        for uscc, kind, status, established in entities
    }


async def cached_evaluations(
    session: AsyncSession, usccs: Sequence[str]
) -> dict[str, tuple[int, EvaluationRow | None]]:
    """:func:`cached_evaluation` for many entities in one statement."""
    rows = await session.execute(
        select(Entity.uscc, Entity.data_version, EvaluationRow)
        .outerjoin(EvaluationRow, EvaluationRow.uscc == Entity.uscc)
        .where(Entity.uscc.in_(list(usccs)))
    )
    return {uscc: (version, row) for uscc, version, row in rows}


async def cached_evaluation(
    session: AsyncSession, uscc: str
) -> tuple[int, EvaluationRow | None] | None:
    """``(entities.data_version, cached row or None)``; ``None`` if unknown."""
    row = (
        await session.execute(
            select(Entity.data_version, EvaluationRow)
            .outerjoin(EvaluationRow, EvaluationRow.uscc == Entity.uscc)
            .where(Entity.uscc == uscc)
        )
    ).first()
    return None if row is None else (row[0], row[1])


async def save_evaluation(
    session: AsyncSession, result: EvaluationResult, data_version: int
) -> None:
    """Insert or replace the cached evaluation (safe under concurrent writers)."""
    values = {
        "uscc": result.uscc,
        "score": result.score,
        "grade": str(result.grade),
        "model_version": result.model_version,
        "evaluated_at": result.evaluated_at,
        "factors": [f.as_dict() for f in result.factors],
        "data_version": data_version,
    }
    stmt = upsert_insert(session)(EvaluationRow).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[EvaluationRow.uscc],
        set_={k: stmt.excluded[k] for k in values if k != "uscc"},
    )
    await session.execute(stmt)
