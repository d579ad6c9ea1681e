"""Reading credit profiles through the door, one entity or a batch of 100."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub.access.door import Grant, entities_and_consents, open_doors
from hub.auth.principal import Principal
from hub.enums import Purpose
from hub.errors import ErrorCode, HubError
from hub.models import Entity

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = ["MAX_BATCH", "ProfileData", "read_profiles"]

MAX_BATCH = 100


@dataclass
class ProfileData:
    entity: Entity
    grant: Grant
    generated_at: datetime
    # Source freshness after an on-demand pull (single reads); batch reads
    # report the stored freshness instead of pulling 100 entities at once.
    sources: list[Any] | None = None


async def read_profiles(
    session: AsyncSession,
    hub: Hub,
    principal: Principal,
    usccs: Sequence[str],
    purpose: Purpose,
) -> list[ProfileData | HubError]:
    """One answer per code, in order; a constant number of statements per batch.

    Only the grant is decided here; records, lists, sources and the evaluation
    are loaded by the fields that ask for them, restricted to the grant's
    categories (non-consented categories are never loaded).
    """
    if len(usccs) > MAX_BATCH:
        raise HubError(
            f"At most {MAX_BATCH} codes per batch, got {len(usccs)}.",
            ErrorCode.VALIDATION_ERROR,
        )
    found, consents = await entities_and_consents(
        session, hub, principal, usccs, purpose
    )
    known = [u for u in dict.fromkeys(usccs) if u in found]
    grants = (
        await open_doors(
            session,
            hub,
            principal,
            usccs=known,
            purpose=purpose,
            action="profile.read",
            consents=consents,
        )
        if known
        else {}
    )
    now = hub.clock.now()
    out: list[ProfileData | HubError] = []
    for uscc in usccs:
        if uscc not in found:
            out.append(
                HubError(f"No entity {uscc} is registered.", ErrorCode.NOT_FOUND)
            )
            continue
        grant = grants[uscc]
        out.append(
            grant
            if isinstance(grant, HubError)
            else ProfileData(found[uscc], grant, now)
        )
    return out
