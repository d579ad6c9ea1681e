"""Reading the audit trail: a subject's access log and the admins' search."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

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
    before_n: int | None,
) -> tuple[list[AuditEvent], int]:
    """Every event about ``uscc``, newest first: reads, refusals, decisions,
    pulls, consent changes (征信业管理条例 Art 22; FCRA §1681g).

    The enterprise itself or an admin; ``first + 1`` rows tell whether more
    follow.
    """
    if not (principal.is_admin or (principal.is_subject and principal.uscc == uscc)):
        raise HubError(
            "Only the enterprise itself or an admin may read its access log.",
            ErrorCode.FORBIDDEN,
        )
    return await page(session, AuditQuery(subject=uscc), first, before_n)


async def search(
    session: AsyncSession, q: AuditQuery, first: int, before_n: int | None
) -> tuple[list[AuditEvent], int]:
    """The admins' search over the whole trail (the field declares ADMIN)."""
    return await page(session, q, first, before_n)
