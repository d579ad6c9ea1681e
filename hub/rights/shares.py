"""What each client can currently see: the subject's ACTIVE consents, by grantee.

征信业管理条例 Art 17 / PIPL Art 44–45: the subject may know who holds its
information and for what.  Listing the consents is not a read of subject data
by a third party, so it needs no door; it is the subject's (or an admin's)
own view of its grants.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from hub.auth.principal import Principal
from hub.errors import ErrorCode, HubError
from hub.models import Client, Consent
from hub.rights import repository as repo

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = ["DataShare", "data_shares"]


@dataclass(frozen=True)
class DataShare:
    consent: Consent
    grantee: Client


async def data_shares(
    session: AsyncSession, hub: Hub, actor: Principal, uscc: str
) -> list[DataShare]:
    """ACTIVE consents of ``uscc``, soonest expiry first (subject itself or admin)."""
    if not (actor.is_admin or (actor.is_subject and actor.uscc == uscc)):
        raise HubError(
            "Only the enterprise itself or an admin may list its data shares.",
            ErrorCode.FORBIDDEN,
        )
    now: datetime = hub.clock.now()
    rows = await repo.active_consents(session, uscc, now)
    return [DataShare(c, cl) for c, cl in rows]
