"""Door-made grants for tests that read subject data below the GraphQL layer."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from hub.access.door import Grant, open_door
from hub.auth.principal import Principal
from hub.enums import PrincipalKind
from hub.resources import Hub


def subject(uscc: str) -> Principal:
    return Principal(id=uscc, kind=PrincipalKind.SUBJECT, name=uscc, uscc=uscc)


async def own_grant(
    session: AsyncSession, hub: Hub, uscc: str, action: str = "profile.read"
) -> Grant:
    """The enterprise's own access to all of its data (audited like any read)."""
    return await open_door(
        session, hub, subject(uscc), uscc=uscc, purpose=None, action=action
    )
