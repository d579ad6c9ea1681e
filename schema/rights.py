"""Subject rights: objections, repairs, commitments and data shares.

Permissions are declared on the fields; resolvers only call ``hub.rights``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

import schema.enums  # noqa: F401  (contract enums registered first)
from hub import enums
from hub.enums import (
    CommitmentKind,
    CommitmentStatus,
    DataCategory,
    ObjectionResolution,
    ObjectionStatus,
    PrincipalKind,
    Purpose,
    RepairStatus,
)
from hub.models import Commitment as CommitmentRow
from hub.models import CreditRecord as RecordRow
from hub.models import Objection as ObjectionRow
from hub.models import RepairApplication as RepairRow
from hub.rights import commitments, objections, repairs
from hub.rights import repository as repo
from hub.rights.shares import DataShare as ShareRow
from hub.rights.shares import data_shares
from schema.clients import PrincipalType
from schema.common import (
    Connection,
    PageInfo,
    check_first,
    decode_cursor,
    encode_cursor,
)
from schema.permissions import HasKind, HasScope, IsAdmin, IsSubject
from schema.records import CreditRecord
from schema.scalars import JSON, USCC

__all__ = ["RightsMutation", "RightsQuery"]

for _name in ("CommitmentKind", "CommitmentStatus"):
    if not hasattr(getattr(enums, _name), "__strawberry_definition__"):
        strawberry.enum(getattr(enums, _name), name=_name)


class SubjectOrAdmin(HasKind):
    kinds = frozenset({PrincipalKind.SUBJECT, PrincipalKind.ADMIN})


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


@strawberry.type
class Objection:
    id: strawberry.ID
    record: CreditRecord
    status: ObjectionStatus
    reason: str
    filed_at: datetime
    due_by: datetime = strawberry.field(description="Statutory reply deadline.")
    resolved_at: datetime | None
    note: str | None
    overdue: bool = strawberry.field(
        description="Open past its 20-day deadline, or answered after it "
        "(征信业管理条例 Art 25)."
    )
    corrections: JSON | None = strawberry.field(
        description="For CORRECTED: the corrected values."
    )

    @classmethod
    def from_row(cls, o: ObjectionRow, record: RecordRow, now: datetime) -> Objection:
        return cls(
            id=strawberry.ID(o.id),
            record=CreditRecord.from_row(record),
            status=ObjectionStatus(o.status),
            reason=o.reason,
            filed_at=o.filed_at,
            due_by=o.due_by,
            resolved_at=o.resolved_at,
            note=o.note,
            overdue=objections.is_overdue(o, now),
            corrections=o.corrections,  # type: ignore[arg-type]
        )


@strawberry.type
class RepairApplication:
    id: strawberry.ID
    record: CreditRecord
    status: RepairStatus
    method: str
    evidence: str
    applied_at: datetime
    decided_at: datetime | None
    note: str | None

    @classmethod
    def from_row(cls, r: RepairRow, record: RecordRow) -> RepairApplication:
        return cls(
            id=strawberry.ID(r.id),
            record=CreditRecord.from_row(record),
            status=RepairStatus(r.status),
            method=r.method,
            evidence=r.evidence,
            applied_at=r.applied_at,
            decided_at=r.decided_at,
            note=r.note,
        )


@strawberry.type(description="A credit commitment (信用承诺) and whether it was kept.")
class Commitment:
    id: strawberry.ID
    uscc: USCC  # type: ignore[valid-type]
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


@strawberry.type(
    description="What one client can currently see, under one ACTIVE consent."
)
class DataShare:
    consent_id: strawberry.ID
    grantee: PrincipalType
    purpose: Purpose
    categories: list[DataCategory]
    granted_at: datetime
    expires_at: datetime

    @classmethod
    def from_share(cls, s: ShareRow) -> DataShare:
        c = s.consent
        return cls(
            consent_id=strawberry.ID(c.id),
            grantee=PrincipalType.from_client(s.grantee),
            purpose=Purpose(c.purpose),
            categories=[DataCategory(x) for x in c.categories],
            granted_at=c.granted_at,
            expires_at=c.expires_at,
        )


@strawberry.input
class FileObjectionInput:
    record_id: strawberry.ID
    reason: str


@strawberry.input
class ApplyRepairInput:
    record_id: strawberry.ID
    method: str = strawberry.field(
        description="commitment, rectification, training or report."
    )
    evidence: str


def _iso_datetime(value: str) -> str:
    datetime.fromisoformat(value)  # refuse what the queue could not use
    return value


def _iso_date(value: str) -> str:
    date.fromisoformat(value)
    return value


def _at(cursor: list[Any] | None) -> tuple[datetime, str] | None:
    return (datetime.fromisoformat(cursor[0]), str(cursor[1])) if cursor else None


@strawberry.type
class RightsQuery:
    @strawberry.field(
        description="Objections, oldest reply deadline first. Subjects see their "
        "own; admins all.",
        permission_classes=[SubjectOrAdmin],
    )
    async def objections(
        self,
        info: Info,
        status: ObjectionStatus | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[Objection]:
        ctx = info.context
        n = check_first(first)
        cursor = _at(decode_cursor(after, 2, (_iso_datetime, str)))
        async with ctx.db() as session:
            rows, total, more = await objections.list_objections(
                session, ctx.principal, status=status, first=n, after=cursor
            )
            recs = await repo.records_by_id(session, [o.record_id for o in rows])
        now = ctx.hub.clock.now()
        return Connection.build(
            rows,
            more,
            total,
            node=lambda o: Objection.from_row(o, recs[o.record_id], now),
            cursor=lambda o: (o.due_by.isoformat(), o.id),
        )

    @strawberry.field(
        description="Repair applications, oldest first. Subjects see their own; "
        "admins all.",
        permission_classes=[SubjectOrAdmin],
    )
    async def repairs(
        self,
        info: Info,
        status: RepairStatus | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[RepairApplication]:
        ctx = info.context
        n = check_first(first)
        cursor = _at(decode_cursor(after, 2, (_iso_datetime, str)))
        async with ctx.db() as session:
            rows, total, more = await repairs.list_repairs(
                session, ctx.principal, status=status, first=n, after=cursor
            )
            recs = await repo.records_by_id(session, [r.record_id for r in rows])
        return Connection.build(
            rows,
            more,
            total,
            node=lambda r: RepairApplication.from_row(r, recs[r.record_id]),
            cursor=lambda r: (r.applied_at.isoformat(), r.id),
        )

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
        cursor = decode_cursor(after, 2, (_iso_date, str))
        async with ctx.db() as session:
            page = await commitments.list_commitments(
                session,
                ctx.hub,
                ctx.principal,
                status=status,
                first=n,
                after=(str(cursor[0]), str(cursor[1])) if cursor else None,
            )
        found = Connection.build(
            page.rows,
            page.more,
            page.total,
            node=Commitment.from_row,
            cursor=lambda c: (c.due_on.isoformat(), c.id),
        )
        # The end cursor is the last row looked at, shown or not, so a page
        # whose rows were all refused still leads on to the next.
        found.page_info = PageInfo(
            has_next_page=page.more,
            end_cursor=encode_cursor(*page.end) if page.end else None,
        )
        return found

    @strawberry.field(
        description="Per ACTIVE consent: who can currently see what of this "
        "enterprise, for which purpose, until when. The subject itself or an admin.",
        permission_classes=[SubjectOrAdmin],
    )
    async def data_shares(
        self,
        info: Info,
        uscc: USCC,  # type: ignore[valid-type]
    ) -> list[DataShare]:
        ctx = info.context
        async with ctx.db() as session:
            shares = await data_shares(session, ctx.hub, ctx.principal, str(uscc))
        return [DataShare.from_share(s) for s in shares]


async def _objection(info: Info, row: ObjectionRow) -> Objection:
    ctx = info.context
    async with ctx.db() as session:
        record = await repo.record(session, row.record_id)
    assert record is not None
    return Objection.from_row(row, record, ctx.hub.clock.now())


async def _repair(info: Info, row: RepairRow) -> RepairApplication:
    async with info.context.db() as session:
        record = await repo.record(session, row.record_id)
    assert record is not None
    return RepairApplication.from_row(row, record)


@strawberry.type
class RightsMutation:
    @strawberry.mutation(
        description="Object to one of your records (征信业管理条例 Art 25): it is "
        "DISPUTED at once; a reply is due within 20 days. Admins may file on the "
        "subject's behalf. A replayed idempotencyKey returns the first objection.",
        permission_classes=[SubjectOrAdmin],
    )
    async def file_objection(
        self,
        info: Info,
        input: FileObjectionInput,
        idempotency_key: str | None = None,
    ) -> Objection:
        ctx = info.context
        async with ctx.db() as session:
            row = await objections.file_objection(
                session,
                ctx.hub,
                ctx.principal,
                record_id=str(input.record_id),
                reason=input.reason,
                idempotency_key=idempotency_key,
            )
        return await _objection(info, row)

    @strawberry.mutation(
        description="CORRECTED (with corrections: title, severity, authority, dates, "
        "details), REVOKED (record withdrawn) or UPHELD (record back to its prior "
        "status). The note is shown to the subject.",
        permission_classes=[IsAdmin],
    )
    async def resolve_objection(
        self,
        info: Info,
        id: strawberry.ID,
        resolution: ObjectionResolution,
        note: str,
        corrections: JSON | None = None,
    ) -> Objection:
        ctx = info.context
        async with ctx.db() as session:
            row = await objections.resolve_objection(
                session,
                ctx.hub,
                ctx.principal,
                objection_id=str(id),
                resolution=resolution,
                note=note,
                corrections=corrections,  # type: ignore[arg-type]
            )
        return await _objection(info, row)

    @strawberry.mutation(
        description="Apply to repair a negative record after its minimum publication "
        "period (MINOR at once, ORDINARY 3 months, SERIOUS 1 year). Refusals carry "
        "extensions.possibleFrom.",
        permission_classes=[IsSubject],
    )
    async def apply_repair(
        self, info: Info, input: ApplyRepairInput
    ) -> RepairApplication:
        ctx = info.context
        async with ctx.db() as session:
            row = await repairs.apply_repair(
                session,
                ctx.hub,
                ctx.principal,
                record_id=str(input.record_id),
                method=input.method,
                evidence=input.evidence,
            )
        return await _repair(info, row)

    @strawberry.mutation(permission_classes=[IsAdmin])
    async def decide_repair(
        self, info: Info, id: strawberry.ID, approve: bool, note: str
    ) -> RepairApplication:
        ctx = info.context
        async with ctx.db() as session:
            row = await repairs.decide_repair(
                session,
                ctx.hub,
                ctx.principal,
                repair_id=str(id),
                approve=approve,
                note=note,
            )
        return await _repair(info, row)

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
