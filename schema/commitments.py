"""Credit commitments (信用承诺): listing, making and verifying them."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import strawberry
from strawberry.types import Info

import schema.enums  # noqa: F401  (contract enums registered first)
from hub import enums
from hub.enums import CommitmentKind, CommitmentStatus, PrincipalKind
from hub.rights import commitments
from schema.common import Connection, check_first
from schema.permissions import HasKind, HasScope, IsSubject
from schema.queues import day_cursor, page_connection
from schema.scalars import USCC

if TYPE_CHECKING:
    from hub.models import Commitment as CommitmentRow

__all__ = ["Commitment", "CommitmentMutation", "CommitmentQuery"]

for _name in ("CommitmentKind", "CommitmentStatus"):
    if not hasattr(getattr(enums, _name), "__strawberry_definition__"):
        strawberry.enum(getattr(enums, _name), name=_name)


class AgencyOrAdmin(HasKind):
    kinds = frozenset({PrincipalKind.AGENCY, PrincipalKind.ADMIN})


class CanHandleCommitments(HasScope):
    """Agencies read and verify commitments as part of approvals (profile:read);
    subjects and admins with their own scopes."""

    scopes = frozenset({"profile:read", "subject", "admin"})


class SubjectAgencyOrAdmin(HasKind):
    kinds = frozenset(
        {PrincipalKind.SUBJECT, PrincipalKind.AGENCY, PrincipalKind.ADMIN}
    )


@strawberry.type(description="A credit commitment (信用承诺) and whether it was kept.")
class Commitment:
    id: strawberry.ID
    uscc: USCC
    kind: CommitmentKind
    content: str
    made_on: date
    due_on: date
    status: CommitmentStatus
    fulfilled_on: date | None

    @classmethod
    def from_row(cls, c: CommitmentRow) -> Commitment:
        return cls(
            id=strawberry.ID(c.id),
            uscc=USCC(c.uscc),
            kind=CommitmentKind(c.kind),
            content=c.content,
            made_on=c.made_on,
            due_on=c.due_on,
            status=CommitmentStatus(c.status),
            fulfilled_on=c.fulfilled_on,
        )


@strawberry.type
class CommitmentQuery:
    @strawberry.field(
        description="Credit commitments, earliest due first. Subjects see their own; "
        "admins all; agencies those of subjects that granted them an ACTIVE APPROVAL "
        "consent covering COMMITMENT (each read audited; should the door refuse "
        "one, its rows are left out and a page may be short — follow pageInfo).",
        permission_classes=[SubjectAgencyOrAdmin, CanHandleCommitments],
    )
    async def commitments(
        self,
        info: Info,
        status: CommitmentStatus | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[Commitment]:
        ctx = info.context
        n = check_first(first)
        cursor = day_cursor(after)
        async with ctx.db() as session:
            page = await commitments.list_commitments(
                session, ctx.hub, ctx.principal, status=status, first=n, after=cursor
            )
        return page_connection(
            page,
            node=Commitment.from_row,
            cursor=lambda c: (c.due_on.isoformat(), c.id),
        )


@strawberry.type
class CommitmentMutation:
    @strawberry.mutation(
        description="Make a credit commitment, due on a date (China time).",
        permission_classes=[IsSubject],
    )
    async def make_commitment(
        self, info: Info, kind: CommitmentKind, content: str, due_on: date
    ) -> Commitment:
        ctx = info.context
        async with ctx.db() as session:
            row = await commitments.make_commitment(
                session,
                ctx.hub,
                ctx.principal,
                kind=kind,
                content=content,
                due_on=due_on,
            )
        return Commitment.from_row(row)

    @strawberry.mutation(
        description="Verify that a commitment was kept: an admin, or an agency "
        "holding the subject's ACTIVE APPROVAL consent covering COMMITMENT.",
        permission_classes=[AgencyOrAdmin, CanHandleCommitments],
    )
    async def fulfil_commitment(self, info: Info, id: strawberry.ID) -> Commitment:
        ctx = info.context
        async with ctx.db() as session:
            row = await commitments.fulfil_commitment(
                session, ctx.hub, ctx.principal, commitment_id=str(id)
            )
        return Commitment.from_row(row)
