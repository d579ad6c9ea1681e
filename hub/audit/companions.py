"""Work that commits with a unit of work's audit events, in their statement.

A companion (e.g. counting the uses of a consent, ``hub.consent.usage``)
gives a statement — an ``UPDATE … RETURNING``, built once at import so the
hot path only binds values — that must commit together with the audit
events.  On PostgreSQL the audit INSERT travels inside it as a
data-modifying CTE (one round trip for both); elsewhere the two run one after
the other (``hub.audit.chain``).  ``settle`` sees what the statement returned
and the unit of work's events; raising there fails the commit (``hub.db``
then keeps the events marked ``DENIED``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.sql.base import Executable

if TYPE_CHECKING:
    from hub.models import AuditEvent

__all__ = ["COMPANIONS", "Companion", "accompany", "companion"]

COMPANIONS = "hub.audit.companions"


class Companion(Protocol):
    def statement(self, dialect: str) -> tuple[Executable, dict[str, Any]] | None:
        """What to write at commit (a statement built once, and its
        parameters); ``None`` when there is nothing."""
        ...

    def settle(
        self, session: Session, returned: Sequence[Row[Any]], events: list[AuditEvent]
    ) -> None:
        """Check what the statement returned; raise to fail the commit."""
        ...


def accompany(
    session: AsyncSession | Session, key: str, make: Callable[[], Companion]
) -> Companion:
    """The unit of work's companion under ``key``, made on first use."""
    found: dict[str, Companion] = session.info.setdefault(COMPANIONS, {})
    if key not in found:
        found[key] = make()
    return found[key]


def companion(session: AsyncSession | Session, key: str) -> Companion | None:
    """The companion under ``key`` if this unit of work has one."""
    found: dict[str, Companion] = session.info.get(COMPANIONS) or {}
    return found.get(key)
