"""Who is calling: the typed subject every permission and audit row refers to."""

from __future__ import annotations

from dataclasses import dataclass, field

from hub.enums import PrincipalKind

__all__ = ["ANONYMOUS", "Principal", "SYSTEM"]


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller.

    ``id`` is ``Client.id`` for clients and the USCC for SUBJECT principals
    (interfaces.md, "Identifiers").
    """

    id: str
    kind: PrincipalKind
    name: str
    uscc: str | None = None
    scopes: tuple[str, ...] = ()
    token_id: str | None = None
    authenticated: bool = True
    extra: dict[str, str] = field(default_factory=dict, compare=False)
    # The client's own staff member behind this request (X-Hub-Officer,
    # contract v2 "Officer attribution"); kept on every audit event of it.
    officer: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.kind is PrincipalKind.ADMIN

    @property
    def is_subject(self) -> bool:
        return self.kind is PrincipalKind.SUBJECT


ANONYMOUS = Principal(
    id="anonymous", kind=PrincipalKind.SUBJECT, name="anonymous", authenticated=False
)
# Actor of scheduled jobs (maintenance, commitments) in the audit trail.
SYSTEM = Principal(id="system", kind=PrincipalKind.ADMIN, name="xinyi-hub system")
