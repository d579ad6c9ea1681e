"""Issuing, revoking and verifying signed credit reports.

The enterprise issues a report about itself (信用中国's 专项信用报告, e.g. for
a tender: 国办发〔2019〕35号 §三) for a period of at most five years and the
sections it chooses.  Issuing reads its own data through the door (basis
SUBJECT, ``report.issue``); the report is then a signed snapshot, and
showing it to whoever holds its link (``/reports/{id}``) reads only that
snapshot, on the basis REPORT, audited as ``report.verify`` in the
enterprise's access log.  Services never commit.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub.access.door import Grant, admit, open_door
from hub.audit.changes import record_change
from hub.auth.principal import ANONYMOUS, Principal
from hub.enums import AccessBasis, DataCategory, PrincipalKind, ReportSection
from hub.errors import ErrorCode, HubError
from hub.evaluation.service import evaluation_for
from hub.importer.rows import add_months
from hub.models import CreditReport, Entity
from hub.reports import repository as repo
from hub.reports.content import RECORD_SECTIONS, categories_of, compose
from hub.reports.signing import sign_report, verify_report
from hub.uscc import check_uscc

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = [
    "MAX_YEARS",
    "ReportView",
    "issue",
    "new_report_id",
    "own_report",
    "own_reports",
    "report_urls",
    "revoke",
    "view",
]

MAX_YEARS = 5
MAX_PURPOSE = 200


def report_urls(hub: Hub, report_id: str) -> tuple[str, str, str]:
    """(verify URL, PDF URL, JWKS URL) as handed out (``HUB_PUBLIC_URL``)."""
    base = hub.settings.public_url.rstrip("/")
    page = f"{base}/reports/{report_id}"
    return page, f"{page}.pdf", f"{base}/.well-known/jwks.json"


def new_report_id() -> str:
    """192 random bits, URL-safe: holding the id is what shows the report."""
    return secrets.token_urlsafe(24)


def _check(
    principal: Principal,
    uscc: str,
    start: date,
    end: date,
    sections: Sequence[ReportSection],
    purpose: str,
    today: date,
) -> str:
    check_uscc(uscc)
    if principal.kind is not PrincipalKind.SUBJECT or principal.uscc != uscc:
        raise HubError(
            "An enterprise issues credit reports about itself only.",
            ErrorCode.FORBIDDEN,
        )
    if start > end:
        raise HubError("from must not be after to.", ErrorCode.VALIDATION_ERROR)
    if end > today:
        raise HubError(
            f"to must not be after today ({today.isoformat()}).",
            ErrorCode.VALIDATION_ERROR,
        )
    if end > add_months(start, 12 * MAX_YEARS):
        raise HubError(
            f"A report covers at most {MAX_YEARS} years (from {start.isoformat()}: "
            f"until {add_months(start, 12 * MAX_YEARS).isoformat()}).",
            ErrorCode.VALIDATION_ERROR,
        )
    if not sections:
        raise HubError("Choose at least one section.", ErrorCode.VALIDATION_ERROR)
    text = (purpose or "").strip()
    if not text or len(text) > MAX_PURPOSE:
        raise HubError(
            f"purpose must be 1–{MAX_PURPOSE} characters.", ErrorCode.VALIDATION_ERROR
        )
    return text


async def _contents(
    session: AsyncSession,
    hub: Hub,
    grant: Grant,
    sections: Sequence[ReportSection],
    start: date,
    end: date,
) -> dict[str, Any]:
    """The rows the sections show, loaded only under the subject's grant."""
    admit(grant)
    today = hub.clock.today()
    categories = [RECORD_SECTIONS[s] for s in sections if s in RECORD_SECTIONS]
    return {
        "records": (
            await repo.records_in_period(
                session, grant.uscc, categories, start, end, today
            )
            if categories
            else []
        ),
        "lists": (
            await repo.lists_in_period(session, grant.uscc, start, end)
            if ReportSection.LISTS in sections
            else []
        ),
        "evaluation": (
            await evaluation_for(session, hub, grant)
            if ReportSection.EVALUATION in sections
            else None
        ),
    }


async def issue(
    session: AsyncSession,
    hub: Hub,
    principal: Principal,
    *,
    uscc: str,
    start: date,
    end: date,
    sections: Sequence[ReportSection],
    purpose: str,
) -> CreditReport:
    """Sign and store a report of ``uscc`` (its own SUBJECT principal only)."""
    chosen = list(dict.fromkeys(sections))
    text = _check(principal, uscc, start, end, chosen, purpose, hub.clock.today())
    entity = await session.get(Entity, uscc)
    if entity is None:
        raise HubError(f"No entity {uscc} is registered.", ErrorCode.NOT_FOUND)
    report_id = new_report_id()
    grant = await open_door(
        session,
        hub,
        principal,
        uscc=uscc,
        purpose=None,
        action="report.issue",
        categories=categories_of(chosen) | {DataCategory.BASIC},
        detail={"report": report_id, "sections": [str(s) for s in chosen]},
    )
    now = hub.clock.now()
    await hub.keys.refresh_if_stale()
    doc = compose(
        report_id=report_id,
        issuer=hub.settings.issuer,
        issued_at=now,
        entity=entity,
        period=(start, end),
        purpose=text,
        sections=chosen,
        **await _contents(session, hub, grant, chosen, start, end),
    )
    row = CreditReport(
        id=report_id,
        uscc=uscc,
        period_from=start,
        period_to=end,
        sections=doc["sections"],
        purpose=text,
        signed=sign_report(hub.keys, doc),
        issued_at=now,
        issued_by=principal.id,
        revoked_at=None,
    )
    repo.add(session, row)
    grant.settle("ISSUED")
    return row


async def own_report(
    session: AsyncSession, principal: Principal, report_id: str
) -> CreditReport | None:
    """The report if the caller is the enterprise it is about, else None."""
    row = await repo.report(session, report_id)
    if row is None or not (principal.is_subject and principal.uscc == row.uscc):
        return None
    return row


async def own_reports(
    session: AsyncSession, principal: Principal, limit: int = 100
) -> list[CreditReport]:
    """The reports the calling enterprise issued, newest first (SUBJECT only)."""
    if not principal.is_subject or principal.uscc is None:
        raise HubError(
            "Only the enterprise itself lists its reports.", ErrorCode.FORBIDDEN
        )
    return await repo.reports_of(session, principal.uscc, limit)


async def revoke(
    session: AsyncSession, hub: Hub, principal: Principal, report_id: str
) -> CreditReport:
    """The enterprise withdraws a report; its verify page says so from now on."""
    row = await own_report(session, principal, report_id)
    if row is None:
        raise HubError(f"No report {report_id} of yours.", ErrorCode.NOT_FOUND)
    if row.revoked_at is not None:
        raise HubError(
            f"Report {report_id} was revoked at {row.revoked_at.isoformat()}.",
            ErrorCode.CONFLICT,
        )
    row.revoked_at = hub.clock.now()
    await record_change(
        session,
        actor=principal,
        action="report.revoke",
        outcome="REVOKED",
        at=row.revoked_at,
        subject=row.uscc,
        detail={"report": row.id},
    )
    return row


@dataclass(frozen=True, slots=True)
class ReportView:
    """What ``/reports/{id}`` shows: the report and whether to trust it."""

    row: CreditReport
    report: dict[str, Any] | None  # the signed content, only if it verifies
    verified: bool
    audit_event_id: str

    @property
    def revoked(self) -> bool:
        return self.row.revoked_at is not None

    @property
    def revoked_at(self) -> datetime | None:
        return self.row.revoked_at

    @property
    def valid(self) -> bool:
        return self.verified and not self.revoked


async def view(
    session: AsyncSession,
    hub: Hub,
    report_id: str,
    *,
    fmt: str,
    principal: Principal = ANONYMOUS,
) -> ReportView | None:
    """Verify a stored report for whoever holds its id (None if there is none).

    The signature is checked against the hub's published keys and the signed
    content must name this report and enterprise; the check is audited as
    ``report.verify`` (outcome VERIFIED, REVOKED or INVALID) in the
    enterprise's access log.
    """
    if not report_id or len(report_id) > 64:
        return None
    row = await repo.report(session, report_id)
    if row is None:
        return None
    sections = [ReportSection(s) for s in row.sections]
    grant = await open_door(
        session,
        hub,
        principal,
        uscc=row.uscc,
        purpose=None,
        action="report.verify",
        categories=categories_of(sections),
        detail={"report": row.id, "format": fmt},
        basis=AccessBasis.REPORT,
    )
    payload = await verify_report(hub.keys, row.signed)
    verified = (
        payload is not None
        and payload.get("id") == row.id
        and (payload.get("subject") or {}).get("uscc") == row.uscc
    )
    outcome = "INVALID" if not verified else "REVOKED" if row.revoked_at else "VERIFIED"
    grant.settle(outcome)
    return ReportView(
        row, payload if verified else None, verified, grant.audit_event_id
    )
