"""What "ACTIVE consent" means, written once as SQL.

Every query that asks whether a consent is in force — the door, the consent
list, data shares, risk alerts, agency listings — uses :func:`active_consent`
(and :func:`covers` for "…covering this category"), so a change to the
lifecycle (pausing, read limits) lands in one place.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.types import Boolean

from hub.enums import DataCategory
from hub.models import Consent

__all__ = ["active_consent", "covers"]


def active_consent(now: datetime | ColumnElement[Any]) -> ColumnElement[bool]:
    """Not revoked and not yet expired at ``now`` (a value or a bind parameter)."""
    return and_(Consent.revoked_at.is_(None), Consent.expires_at > now)


class _JsonListHas(FunctionElement[bool]):
    """``column`` (a JSON list of strings) contains ``value``."""

    type = Boolean()
    inherit_cache = True
    name = "json_list_has"


@compiles(_JsonListHas, "postgresql")
def _pg(element: _JsonListHas, compiler: Any, **kw: Any) -> str:
    column, value = (compiler.process(c, **kw) for c in element.clauses)
    return f"(CAST({column} AS JSONB) @> jsonb_build_array({value}))"


@compiles(_JsonListHas)
def _json_each(element: _JsonListHas, compiler: Any, **kw: Any) -> str:
    column, value = (compiler.process(c, **kw) for c in element.clauses)
    return f"EXISTS (SELECT 1 FROM json_each({column}) WHERE json_each.value = {value})"


def covers(category: DataCategory) -> ColumnElement[bool]:
    """The consent's categories include ``category``."""
    return _JsonListHas(Consent.categories, literal(str(category)))
