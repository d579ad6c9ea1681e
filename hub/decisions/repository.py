"""All SQL of the decisions domain."""

from __future__ import annotations

from datetime import datetime
from functools import reduce
from typing import Any

from sqlalchemy import String, case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db import upsert_insert
from hub.models import (
    AuditEvent,
    Consent,
    ConsentRequest,
    Decision,
    Entity,
    Outcome,
    ScenarioRuleVersion,
)

__all__ = [
    "active_rule_version",
    "add_outcome",
    "active_versions",
    "decision",
    "decision_counts",
    "funnel_answers",
    "funnel_counts",
    "funnel_loans",
    "reference_of",
    "deactivate_rules",
    "registered",
    "sample_entities",
    "loan_totals",
    "outcome",
    "outcome_for",
    "outcome_counts",
    "profile_reads",
    "rule_version_exists",
    "rule_versions",
    "rules_of",
]

APPLIED = ("BENEFIT_APPLIED", "LOAN_GRANTED")


async def active_rule_version(session: AsyncSession, scenario: str) -> str | None:
    """The version of the latest active published rule set, if any."""
    return await session.scalar(
        select(ScenarioRuleVersion.version)
        .where(
            ScenarioRuleVersion.scenario == scenario,
            ScenarioRuleVersion.active.is_(True),
        )
        .order_by(ScenarioRuleVersion.id.desc())
        .limit(1)
    )


async def active_versions(session: AsyncSession) -> dict[str, str]:
    rows = await session.execute(
        select(ScenarioRuleVersion.scenario, ScenarioRuleVersion.version)
        .where(ScenarioRuleVersion.active.is_(True))
        .order_by(ScenarioRuleVersion.id)
    )
    return {s: v for s, v in rows}  # later rows (newer ids) win


async def rule_versions(
    session: AsyncSession, scenario: str
) -> list[ScenarioRuleVersion]:
    """Every published version of ``scenario``, newest first."""
    rows = await session.scalars(
        select(ScenarioRuleVersion)
        .where(ScenarioRuleVersion.scenario == scenario)
        .order_by(ScenarioRuleVersion.id.desc())
    )
    return list(rows)


async def rules_of(
    session: AsyncSession, scenario: str, version: str
) -> dict[str, Any] | None:
    return await session.scalar(
        select(ScenarioRuleVersion.rules).where(
            ScenarioRuleVersion.scenario == scenario,
            ScenarioRuleVersion.version == version,
        )
    )


async def rule_version_exists(
    session: AsyncSession, scenario: str, version: str
) -> bool:
    return await rules_of(session, scenario, version) is not None


async def deactivate_rules(session: AsyncSession, scenario: str) -> None:
    # Superseded versions stay stored: decisions name the version they used.
    await session.execute(
        update(ScenarioRuleVersion)
        .where(
            ScenarioRuleVersion.scenario == scenario,
            ScenarioRuleVersion.active.is_(True),
        )
        .values(active=False)
    )


async def registered(session: AsyncSession, usccs: list[str]) -> set[str]:
    """Which of ``usccs`` are registered entities."""
    if not usccs:
        return set()
    rows = await session.scalars(select(Entity.uscc).where(Entity.uscc.in_(usccs)))
    return set(rows)


def _backwards(column: Any) -> Any:
    # The code read backwards, check digit first: a deterministic order that
    # is neither registration order nor region order, and is the same on
    # SQLite and PostgreSQL (both have substr and ||).
    chars = [func.substr(column, i, 1, type_=String) for i in range(18, 0, -1)]
    return reduce(lambda a, b: a.concat(b), chars)  # type: ignore[arg-type, return-value]


async def sample_entities(session: AsyncSession, n: int) -> list[str]:
    """The first ``n`` registered entities in a fixed scrambled order."""
    rows = await session.scalars(
        select(Entity.uscc).order_by(_backwards(Entity.uscc), Entity.uscc).limit(n)
    )
    return list(rows)


async def decision(session: AsyncSession, decision_id: str) -> Decision | None:
    for pending in session.new:  # decided earlier in this unit of work
        if isinstance(pending, Decision) and pending.id == decision_id:
            return pending
    return await session.get(Decision, decision_id)


async def outcome(session: AsyncSession, outcome_id: str) -> Outcome | None:
    return await session.get(Outcome, outcome_id)


async def outcome_for(
    session: AsyncSession, decision_id: str, result: str
) -> Outcome | None:
    return await session.scalar(
        select(Outcome).where(
            Outcome.decision_id == decision_id, Outcome.result == result
        )
    )


async def add_outcome(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Insert unless (decision, result) exists; True when this call inserted.

    ON CONFLICT DO NOTHING, not a savepoint: concurrent identical reports
    resolve to the first one without failing the unit of work.
    """
    stmt = (
        upsert_insert(session)(Outcome)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[Outcome.decision_id, Outcome.result])
    )
    result = await session.execute(stmt)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def profile_reads(
    session: AsyncSession, start: datetime | None, end: datetime | None
) -> int:
    stmt = (
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "profile.read")
    )
    if start is not None:
        stmt = stmt.where(AuditEvent.at >= start)
    if end is not None:
        stmt = stmt.where(AuditEvent.at < end)
    return int(await session.scalar(stmt) or 0)


async def decision_counts(
    session: AsyncSession, start: datetime | None, end: datetime | None
) -> dict[str, tuple[int, int, int]]:
    """scenario → (decisions, eligible, restricted)."""
    stmt = select(
        Decision.scenario,
        func.count(),
        func.sum(case((Decision.outcome == "ELIGIBLE", 1), else_=0)),
        func.sum(case((Decision.outcome == "RESTRICTED", 1), else_=0)),
    ).group_by(Decision.scenario)
    if start is not None:
        stmt = stmt.where(Decision.decided_at >= start)
    if end is not None:
        stmt = stmt.where(Decision.decided_at < end)
    return {
        s: (int(n), int(e or 0), int(r or 0))
        for s, n, e, r in await session.execute(stmt)
    }


def _outcomes_in(stmt: Any, start: datetime | None, end: datetime | None) -> Any:
    if start is not None:
        stmt = stmt.where(Outcome.recorded_at >= start)
    if end is not None:
        stmt = stmt.where(Outcome.recorded_at < end)
    return stmt


async def outcome_counts(
    session: AsyncSession, start: datetime | None, end: datetime | None
) -> dict[str, int]:
    """scenario → outcomes reporting a benefit applied or a loan granted."""
    stmt = _outcomes_in(
        select(Decision.scenario, func.count())
        .select_from(Outcome)
        .join(Decision, Decision.id == Outcome.decision_id)
        .where(Outcome.result.in_(APPLIED))
        .group_by(Decision.scenario),
        start,
        end,
    )
    return {s: int(n) for s, n in await session.execute(stmt)}


async def loan_totals(
    session: AsyncSession,
    start: datetime | None,
    end: datetime | None,
    *,
    max_amount: float,
) -> tuple[int, float]:
    """Loans granted and their total; amounts outside [0, ``max_amount``]
    (only rows written before amounts were bounded) are counted, not summed,
    so one hostile row cannot make the total infinite."""
    summed = case((Outcome.amount.between(0, max_amount), Outcome.amount), else_=None)
    stmt = _outcomes_in(
        select(func.count(), func.coalesce(func.sum(summed), 0.0)).where(
            Outcome.result == "LOAN_GRANTED"
        ),
        start,
        end,
    )
    n, amount = (await session.execute(stmt)).one()
    return int(n), float(amount or 0.0)


# --- the 信易贷 funnel: requests made in [start, end) and what came of them --


def _requests_in(stmt: Any, start: datetime | None, end: datetime | None) -> Any:
    if start is not None:
        stmt = stmt.where(ConsentRequest.created_at >= start)
    if end is not None:
        stmt = stmt.where(ConsentRequest.created_at < end)
    return stmt


def _n(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


async def funnel_counts(
    session: AsyncSession, start: datetime | None, end: datetime | None, now: datetime
) -> tuple[int, int, int, int]:
    """(requests, approved, rejected, expired); PENDING past expiry is expired."""
    r = ConsentRequest
    stmt = _requests_in(
        select(
            func.count(r.id),
            _n(r.status == "APPROVED"),
            _n(r.status == "REJECTED"),
            _n(
                (r.status == "EXPIRED")
                | ((r.status == "PENDING") & (r.expires_at <= now))
            ),
        ),
        start,
        end,
    )
    n, approved, rejected, expired = (await session.execute(stmt)).one()
    return int(n), int(approved), int(rejected), int(expired)


async def funnel_answers(
    session: AsyncSession, start: datetime | None, end: datetime | None
) -> list[tuple[datetime, datetime]]:
    """(asked, answered) of the requests the enterprise answered."""
    stmt = _requests_in(
        select(ConsentRequest.created_at, ConsentRequest.decided_at).where(
            ConsentRequest.status.in_(("APPROVED", "REJECTED")),
            ConsentRequest.decided_at.is_not(None),
        ),
        start,
        end,
    )
    return [(a, b) for a, b in await session.execute(stmt)]


async def funnel_loans(
    session: AsyncSession, start: datetime | None, end: datetime | None
) -> tuple[int, int, list[tuple[datetime, datetime]]]:
    """(decisions, loans granted, [(approved, first loan)] per request) under
    consents that answered the requests."""
    decisions = await session.scalar(
        _requests_in(
            select(func.count(Decision.id))
            .join(Consent, Consent.id == Decision.consent_id)
            .join(ConsentRequest, ConsentRequest.id == Consent.request_id),
            start,
            end,
        )
    )
    loans = _requests_in(
        select(
            ConsentRequest.id,
            ConsentRequest.decided_at,
            func.count(Outcome.id),
            func.min(Outcome.recorded_at),
        )
        .select_from(Outcome)
        .join(Decision, Decision.id == Outcome.decision_id)
        .join(Consent, Consent.id == Decision.consent_id)
        .join(ConsentRequest, ConsentRequest.id == Consent.request_id)
        .where(Outcome.result == "LOAN_GRANTED")
        .group_by(ConsentRequest.id, ConsentRequest.decided_at),
        start,
        end,
    )
    granted, spans = 0, []
    for _rid, approved, n, first in await session.execute(loans):
        granted += int(n)
        if approved is not None and first is not None:
            spans.append((approved, first))
    return int(decisions or 0), granted, spans


async def reference_of(session: AsyncSession, consent_id: str | None) -> str | None:
    """The requester's reference of the request behind ``consent_id``, if any."""
    if consent_id is None:
        return None
    return await session.scalar(
        select(ConsentRequest.reference)
        .join(Consent, Consent.request_id == ConsentRequest.id)
        .where(Consent.id == consent_id)
    )
