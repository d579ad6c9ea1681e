"""A decision's facts in one statement (PostgreSQL).

One SELECT, in the request's unit of work, finds the enterprise and the
caller's live consent for the scenario's purpose and — only when that consent
is usable and covers every category the scenario decides on — the countable
records of those categories, the list memberships in force and the cached
evaluation.  It is what :func:`hub.access.door.entities_and_consents`,
:func:`hub.evaluation.repository.load_entity_data` (records, lists) and
:func:`hub.evaluation.repository.cached_evaluation` read, with the same
filters, in one round trip instead of four.

Nothing outside the consent is read: the gathering subqueries are gated in
SQL by the consent row the statement found, so with no consent, a paused or
used-up one, or one missing a category, they read no row at all.  And what
was read is handed out only under the grant the door then makes from that
same consent row (:meth:`Gathered.data_for` calls
:func:`hub.access.door.admit`), so the door still decides and audits before
any fact is derived.  Anything else — SQLite, the enterprise deciding on its
own data, a refusal — takes the general path; a stale cached evaluation is
recomputed in the unit of work, as on the general path.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Date, String, and_, any_, bindparam, cast, func, select
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from hub.access.decide import needs_consent
from hub.access.door import Grant, admit
from hub.consent.active import active_consent, live_consent
from hub.enums import AccessBasis, DataCategory, ListKind, PrincipalKind, Purpose
from hub.evaluation.inputs import EntityData, ListView, RecordView
from hub.evaluation.repository import LIST_VIEW, PUBLIC_LISTS, RECORD_VIEW
from hub.models import Consent, CreditRecord, Entity, EvaluationRow, ListMembership
from hub.profiles.visibility import list_visible, record_visible

if TYPE_CHECKING:
    from hub.auth.principal import Principal
    from hub.resources import Hub

__all__ = ["Gathered", "gather", "may_gather"]

_rec = CreditRecord
_lm = ListMembership
_TODAY = bindparam("today", type_=Date)
_NOW = bindparam("now", type_=Consent.expires_at.type)
_CATS = bindparam("cats", type_=ARRAY(String()))
_KINDS = bindparam("kinds", type_=ARRAY(String()))

# Usable for one more use and covering every category asked (policy.yaml
# already holds them for the purpose: ``may_gather``).  The same test as the
# door's (``hub.consent.active``), so what is gathered is what it grants.
_USABLE = and_(
    Consent.id.is_not(None),
    active_consent(_NOW),
    cast(Consent.categories, JSONB).contains(bindparam("wanted", type_=JSONB)),
)
_RECORDS = (
    select(
        func.json_agg(
            aggregate_order_by(
                func.json_build_array(*RECORD_VIEW),
                _rec.id,
            ),
            type_=JSON,
        )
    )
    .where(
        _rec.uscc == Entity.uscc,
        record_visible(_TODAY, for_subject=False),  # type: ignore[arg-type]
        _rec.category == any_(_CATS),
        _USABLE,
    )
    .scalar_subquery()
)
_LISTS = (
    select(
        func.json_agg(
            aggregate_order_by(
                func.json_build_array(*LIST_VIEW),
                _lm.since,
                _lm.id,
            ),
            type_=JSON,
        )
    )
    .where(
        _lm.uscc == Entity.uscc,
        _lm.kind == any_(_KINDS),
        list_visible(_TODAY),  # type: ignore[arg-type]
        _USABLE,
    )
    .scalar_subquery()
)


def _statement(with_evaluation: bool) -> Any:
    consent_on = and_(
        Consent.subject == Entity.uscc,
        Consent.grantee_id == bindparam("grantee"),
        Consent.purpose == bindparam("purpose"),
        live_consent(_NOW),
    )
    columns: list[Any] = [
        Entity,
        Consent,
        _USABLE.label("usable"),
        _RECORDS.label("records"),
        _LISTS.label("lists"),
    ]
    stmt = select(*columns).select_from(Entity).outerjoin(Consent, consent_on)
    if with_evaluation:
        stmt = stmt.add_columns(EvaluationRow).outerjoin(
            EvaluationRow, and_(EvaluationRow.uscc == Entity.uscc, _USABLE)
        )
    # At most one live consent per subject, grantee and purpose
    # (uq_consent_live): one row, or none for an unknown code.
    return stmt.where(Entity.uscc == bindparam("uscc")).order_by(Consent.granted_at)


# Built once: the hot path binds values, it does not rebuild SQL.
_GATHER = {flag: _statement(flag) for flag in (False, True)}


@dataclass(frozen=True, eq=False)
class Gathered:
    """What the statement found; the facts only for the door's grant."""

    entity: Entity
    consent: Consent | None
    categories: frozenset[DataCategory]
    today: date
    _data: EntityData | None
    _evaluation: tuple[int, EvaluationRow | None] | None

    def data_for(self, grant: Grant) -> EntityData | None:
        """The records and lists gathered, if they are exactly what ``grant``
        allows (same enterprise, consent and categories); the facts are then
        derived for the day the statement filtered by (``today``)."""
        admit(grant)
        if (
            self._data is None
            or self.consent is None
            or grant.consent is not self.consent
            or grant.uscc != self.entity.uscc
            or grant.categories != self.categories
        ):
            return None
        return self._data

    def cached_evaluation_for(
        self, grant: Grant
    ) -> tuple[int, EvaluationRow | None] | None:
        """``(entities.data_version, cached evaluation or None)`` gathered
        under the same conditions, or ``None`` (then it is read as usual)."""
        if self.data_for(grant) is None:
            return None
        return self._evaluation


def may_gather(
    hub: Hub,
    principal: Principal,
    uscc: str,
    purpose: Purpose,
    categories: Iterable[DataCategory],
) -> bool:
    """Whether :func:`gather` can serve this decision: PostgreSQL, a client
    deciding under a consent, every category one the purpose may hold."""
    return (
        hub.engine.dialect.name == "postgresql"
        and principal.kind is not PrincipalKind.SUBJECT
        and hub.policy.bases[AccessBasis.CONSENT].categories is None
        and needs_consent(hub, principal, uscc, purpose) is None
        and frozenset(categories) <= hub.policy.categories_for(purpose)
    )


def _date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


async def gather(
    session: AsyncSession,
    hub: Hub,
    principal: Principal,
    uscc: str,
    purpose: Purpose,
    categories: Iterable[DataCategory],
) -> Gathered | None:
    """Entity, live consent and — under a usable, covering consent — the
    facts' data in one statement; ``None`` for an unknown code.  Call only
    when :func:`may_gather` allows."""
    cats = frozenset(categories)
    names = sorted(str(c) for c in cats)
    today = hub.clock.today()
    kinds = (
        [k.value for k in ListKind]
        if DataCategory.PENALTY in cats
        else list(PUBLIC_LISTS)
    )
    with_evaluation = DataCategory.EVALUATION in cats
    result = await session.execute(
        _GATHER[with_evaluation],
        {
            "uscc": uscc,
            "grantee": principal.id,
            "purpose": str(purpose),
            "now": hub.clock.now(),
            "today": today,
            "wanted": names,
            "cats": names,
            "kinds": kinds,
        },
    )
    row = result.first()
    if row is None:
        return None
    entity, consent = row[0], row[1]
    data = evaluation = None
    if row.usable:
        records = tuple(
            RecordView(rid, cat, kind, sev, status, _date(decided), details)
            for rid, cat, kind, sev, status, decided, details in row.records or ()
        )
        lists = tuple(
            ListView(kind, name, basis, date.fromisoformat(since), _date(until))
            for kind, name, basis, since, until in row.lists or ()
        )
        data = EntityData(
            uscc,
            entity.kind,
            entity.status,
            entity.established_on,
            records,
            lists,
        )
        if with_evaluation:
            evaluation = (entity.data_version, row[5])
    return Gathered(entity, consent, cats, today, data, evaluation)
