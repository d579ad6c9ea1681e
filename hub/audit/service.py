"""Reading the audit trail: a subject's access log and the admins' search.

Both list sealed events in chain order (see :mod:`hub.audit.repository` for
why that never skips a committed event); each read first seals what has
committed, so an event shows up at once, not a sealer round later.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.audit.chain import seal_pending
from hub.audit.repository import AuditQuery, page
from hub.auth.principal import Principal
from hub.errors import ErrorCode, HubError
from hub.models import AuditEvent

__all__ = ["AuditQuery", "access_log", "search"]


async def access_log(
    session: AsyncSession,
    principal: Principal,
    uscc: str,
    first: int,
    before_seq: int | None,
    *,
    seal_with: async_sessionmaker[AsyncSession] | None = None,
    narrow: AuditQuery | None = None,
) -> tuple[list[AuditEvent], int]:
    """Every event about ``uscc``, newest first: reads, refusals, decisions,
    pulls, consent changes (征信业管理条例 Art 22; FCRA §1681g).

    The enterprise itself or an admin; ``first + 1`` rows tell whether more
    follow.  ``seal_with`` seals committed events first (in a transaction of
    its own) so the newest are listed.  ``narrow`` filters further (who,
    action, purpose, outcome, when); its ``subject`` is always ``uscc``.
    """
    if not (principal.is_admin or (principal.is_subject and principal.uscc == uscc)):
        raise HubError(
            "Only the enterprise itself or an admin may read its access log.",
            ErrorCode.FORBIDDEN,
        )
    if seal_with is not None:
        await seal_pending(seal_with)
    q = replace(narrow or AuditQuery(), subject=uscc)
    return await page(session, q, first, before_seq)


async def search(
    session: AsyncSession,
    q: AuditQuery,
    first: int,
    before_seq: int | None,
    *,
    seal_with: async_sessionmaker[AsyncSession] | None = None,
) -> tuple[list[AuditEvent], int]:
    """The admins' search over the whole trail (the field declares ADMIN)."""
    if seal_with is not None:
        await seal_pending(seal_with)
    return await page(session, q, first, before_seq)
