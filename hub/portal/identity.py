"""The enterprise behind a portal login, as the SUBJECT principal of the API."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from hub.auth.principal import Principal
from hub.auth.scopes import allowed_scopes
from hub.enums import PrincipalKind
from hub.errors import ErrorCode, HubError
from hub.portal import repository
from hub.uscc import check_uscc

__all__ = ["Enterprise", "known_enterprise"]


@dataclass(frozen=True, slots=True)
class Enterprise:
    """A signed-in enterprise: what the portal keeps in its session."""

    uscc: str
    name: str

    def principal(self) -> Principal:
        """The SUBJECT principal its pages act as (same as its API token)."""
        return Principal(
            id=self.uscc,
            kind=PrincipalKind.SUBJECT,
            name=self.name,
            uscc=self.uscc,
            scopes=allowed_scopes(PrincipalKind.SUBJECT),
        )


async def known_enterprise(session: AsyncSession, uscc: object) -> Enterprise:
    """``uscc`` checked (GB 32100 checksum) and registered here.

    Raises ``INVALID_USCC`` for a malformed code and ``NOT_FOUND`` for one
    the hub holds no enterprise for.
    """
    code = check_uscc(uscc)
    name = await repository.enterprise_name(session, code)
    if name is None:
        raise HubError(
            f"No enterprise {code} is registered with this hub; check the code "
            "or ask the platform administrator to import it.",
            ErrorCode.NOT_FOUND,
        )
    return Enterprise(code, name)
