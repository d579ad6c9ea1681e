"""Signed credit reports (信用报告 / 专项信用报告) an enterprise issues about itself.

Anyone holding a report's ``verifyUrl`` sees it without a token, with the
check of its signature; each such check is in the enterprise's access log.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import strawberry
from strawberry.types import Info

import schema.enums  # noqa: F401  (registers the domain enums)
from hub.enums import ReportSection
from hub.reports import service
from schema.permissions import IsAuthenticated, IsSubject
from schema.scalars import USCC

if TYPE_CHECKING:
    from hub.models import CreditReport as ReportRow

__all__ = ["CreditReport", "CreditReportInput", "ReportMutation", "ReportQuery"]


@strawberry.type(
    description="A signed credit report (信用报告 / 专项信用报告) the enterprise "
    "issues about itself, e.g. for a tender; repaired items are marked, not hidden."
)
class CreditReport:
    id: strawberry.ID = strawberry.field(
        description="Unguessable (192 random bits): holding it shows the report."
    )
    uscc: USCC
    issued_at: datetime
    from_: date = strawberry.field(name="from")
    to: date
    sections: list[ReportSection]
    purpose: str = strawberry.field(
        description="What the report is for, in the enterprise's words (e.g. "
        "招投标 project number)."
    )
    signed: str = strawberry.field(
        description="Compact JWS over the report's canonical JSON (sorted keys, no "
        "whitespace, UTF-8); verify against /.well-known/jwks.json."
    )
    verify_url: str = strawberry.field(
        description="Anyone holding it can check the report there, without a token."
    )
    pdf_url: str = strawberry.field(description="The same report as PDF.")
    revoked: bool
    revoked_at: datetime | None

    @classmethod
    def of(cls, info: Info, r: ReportRow) -> CreditReport:
        page, pdf, _ = service.report_urls(info.context.hub, r.id)
        return cls(
            id=strawberry.ID(r.id),
            uscc=USCC(r.uscc),
            issued_at=r.issued_at,
            from_=r.period_from,
            to=r.period_to,
            sections=[ReportSection(s) for s in r.sections],
            purpose=r.purpose,
            signed=r.signed,
            verify_url=page,
            pdf_url=pdf,
            revoked=r.revoked_at is not None,
            revoked_at=r.revoked_at,
        )


@strawberry.input
class CreditReportInput:
    uscc: USCC
    from_: date = strawberry.field(name="from")
    to: date = strawberry.field(
        description="At most 5 years after from; not later than today."
    )
    sections: list[ReportSection]
    purpose: str


@strawberry.type
class ReportQuery:
    @strawberry.field(
        description="One of your own reports (SUBJECT); null otherwise. Anyone "
        "else uses its verifyUrl.",
        permission_classes=[IsAuthenticated],
    )
    async def credit_report(self, info: Info, id: strawberry.ID) -> CreditReport | None:
        ctx = info.context
        async with ctx.db() as session:
            row = await service.own_report(session, ctx.principal, str(id))
        return CreditReport.of(info, row) if row else None


@strawberry.type
class ReportMutation:
    @strawberry.mutation(
        description="Issue a signed report about yourself for a period (at most 5 "
        "years) and the sections you choose; repaired items are included and "
        "marked 已修复, expired ones are not.",
        permission_classes=[IsSubject],
    )
    async def issue_credit_report(
        self, info: Info, input: CreditReportInput
    ) -> CreditReport:
        ctx = info.context
        async with ctx.db() as session:
            row = await service.issue(
                session,
                ctx.hub,
                ctx.principal,
                uscc=str(input.uscc),
                start=input.from_,
                end=input.to,
                sections=input.sections,
                purpose=input.purpose,
            )
        return CreditReport.of(info, row)

    @strawberry.mutation(
        description="The subject withdraws a report; its verify page then says so.",
        permission_classes=[IsSubject],
    )
    async def revoke_credit_report(self, info: Info, id: strawberry.ID) -> CreditReport:
        ctx = info.context
        async with ctx.db() as session:
            row = await service.revoke(session, ctx.hub, ctx.principal, str(id))
        return CreditReport.of(info, row)
