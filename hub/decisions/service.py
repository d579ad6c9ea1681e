"""Eligibility decisions and their outcome feedback (放款反馈).

Services never commit; the request's unit of work does.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub import idempotency
from hub.access.door import entities_and_consents, open_doors
from hub.audit.changes import record_change
from hub.auth.principal import Principal
from hub.decisions import repository as repo
from hub.decisions.engine import evaluate
from hub.decisions.fact_specs import public_facts
from hub.decisions.facts import load_facts, load_public
from hub.decisions.gather import Gathered, gather, may_gather
from hub.decisions.joint_punishment import joint_punishment_reasons
from hub.decisions.money import cny
from hub.decisions.rules import rules_in_force
from hub.decisions.verdict import Verdict
from hub.enums import AccessBasis
from hub.errors import ErrorCode, HubError
from hub.models import Consent, Decision, Entity, Outcome, new_id
from hub.uscc import check_uscc
from scenarios.protocol import Scenario

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = ["check_eligibility", "get_decision", "record_outcome"]

ACTION = "eligibility.check"
_RESULT = re.compile(r"^[A-Z][A-Z0-9_]{1,31}$")


async def _store(
    session: AsyncSession,
    hub: Hub,
    principal: Principal,
    scenario: Scenario,
    uscc: str,
    verdict: Verdict,
    facts: dict,
    consent_id: str | None,
    decision_id: str,
) -> Decision:
    row = Decision(
        id=decision_id,
        scenario=scenario.key,
        uscc=uscc,
        outcome=str(verdict.outcome),
        benefits=[b.as_dict() for b in verdict.benefits],
        reasons=[r.as_dict() for r in verdict.reasons],
        rule_version=verdict.rule_version,
        facts=facts,
        requester_id=principal.id,
        requester_kind=str(principal.kind),
        consent_id=consent_id,
        decided_at=hub.clock.now(),
    )
    # Not flushed here: on SQLite an early INSERT would take the write lock
    # for the rest of the request; the unit of work writes it at commit.
    session.add(row)
    return row


async def check_eligibility(
    session: AsyncSession,
    hub: Hub,
    principal: Principal,
    scenario_key: str,
    uscc: str,
) -> Decision:
    """Decide ``scenario_key`` for ``uscc`` and store the decision.

    Needs an ACTIVE consent for the scenario's purpose covering its categories
    — except that a BLACK list membership in force (joint punishment,
    国办发〔2019〕35号 §八/§十) makes the answer RESTRICTED even without one.
    A record outside the lists never does (平信用〔2021〕1号 §11), and the
    no-consent path reads no record at all, so neither its answer nor its
    audit detail can tell of one.  An unregistered code is NOT_FOUND, with no
    audit event.

    Without the consent the door refuses (and audits ``DENIED:
    CONSENT_REQUIRED``); the public lists are then checked through the door
    on the basis PUBLIC_LIST (BASIC only), which audits that access too.  Its
    event is settled as what the check came to, and records the
    joint-punishment rules that applied (``detail.joint_punishment``):

    - ``RESTRICTED`` when joint punishment applies: the decision is stored
      and returned;
    - ``DENIED:CONSENT_REQUIRED`` when it does not: the refusal stands, and
      the check is kept in the subject's access log with the refusal (a
      refused request rolls back every event but the denials, ``hub.db``).
      The lists were read, and the answer itself tells the caller that the
      enterprise is on none, so the subject must see that the check was made.
    """
    scenario = hub.scenarios.get(scenario_key)
    check_uscc(uscc)
    # An unregistered code is NOT_FOUND before the door, like profile reads
    # (hub.profiles.service): there is no subject whose consent could be
    # missing, so no denial event is written about one.
    # On PostgreSQL, under a consent: entity, consent and — when the consent
    # is usable and covers the scenario — the facts' data in one statement
    # (hub.decisions.gather); the door below still decides and audits first.
    gathered: Gathered | None = None
    if may_gather(hub, principal, uscc, scenario.purpose, scenario.categories):
        gathered = await gather(
            session, hub, principal, uscc, scenario.purpose, scenario.categories
        )
        entity = gathered.entity if gathered is not None else None
        consents: dict[str, Consent] | None = (
            {uscc: gathered.consent}
            if gathered is not None and gathered.consent is not None
            else {}
        )
    else:
        # Entity and the caller's consent in one query.
        found, consents = await entities_and_consents(
            session, hub, principal, [uscc], scenario.purpose
        )
        entity = found.get(uscc)
    if entity is None:
        raise HubError(f"No entity {uscc} is registered.", ErrorCode.NOT_FOUND)
    decision_id = new_id()
    detail = {"scenario": scenario.key, "decision": decision_id}
    grant = (
        await open_doors(
            session,
            hub,
            principal,
            usccs=[uscc],
            purpose=scenario.purpose,
            action=ACTION,
            categories=scenario.categories,
            require_all=True,
            detail=detail,
            consents=consents,
        )
    )[uscc]
    if isinstance(grant, HubError):
        if grant.code != ErrorCode.CONSENT_REQUIRED:
            raise grant
        return await _restricted_by_public_lists(
            session, hub, principal, scenario, entity, detail, refused=grant
        )
    facts, data = await load_facts(
        session, hub, grant, entity=entity, gathered=gathered
    )
    table = await rules_in_force(session, scenario, hub)
    verdict = evaluate(table, facts, joint_punishment=joint_punishment_reasons(data))
    consent_id = grant.consent.id if grant.consent is not None else None
    return await _store(
        session, hub, principal, scenario, uscc, verdict, facts, consent_id, decision_id
    )


async def _restricted_by_public_lists(
    session: AsyncSession,
    hub: Hub,
    principal: Principal,
    scenario: Scenario,
    entity: Entity,
    detail: dict[str, Any],
    *,
    refused: HubError,
) -> Decision:
    """The RESTRICTED decision public lists impose, else ``refused`` is raised."""
    uscc = entity.uscc
    grant = (
        await open_doors(
            session,
            hub,
            principal,
            usccs=[uscc],
            purpose=scenario.purpose,
            action=ACTION,
            detail=detail,
            basis=AccessBasis.PUBLIC_LIST,
        )
    )[uscc]
    if isinstance(grant, HubError):  # audited by the door; the refusal stands
        raise refused
    public = await load_public(session, hub, grant, entity=entity)
    reasons = joint_punishment_reasons(public) if public is not None else ()
    applied = [r.rule_id for r in reasons]
    if public is None or not reasons:
        grant.settle(f"DENIED:{refused.code}", joint_punishment=applied)
        raise refused
    grant.settle("RESTRICTED", joint_punishment=applied)
    table = await rules_in_force(session, scenario, hub)
    verdict = evaluate(table, {}, joint_punishment=reasons)
    return await _store(
        session,
        hub,
        principal,
        scenario,
        uscc,
        verdict,
        public_facts(public),
        None,
        detail["decision"],
    )


async def get_decision(session: AsyncSession, decision_id: str) -> Decision | None:
    """The decision ``decision_id``, also one decided in this unit of work."""
    return await repo.decision(session, decision_id)


async def record_outcome(
    session: AsyncSession,
    hub: Hub,
    principal: Principal,
    *,
    decision_id: str,
    result: str,
    amount: float | None = None,
    idempotency_key: str | None = None,
    reference: str | None = None,
) -> Outcome:
    """Record what became of a decision (LOAN_GRANTED, BENEFIT_APPLIED, …).

    Only the principal that asked for the decision may report on it.  The same
    (decision, result) returns the outcome already recorded; so does a replay
    with the same ``idempotency_key``.  The outcome carries the reference of
    the consent request behind the decision (e.g. the loan application
    number); a ``reference`` given here must match it, or stands alone when
    the consent came from no request.
    """
    money = None if amount is None else cny(amount)
    request = await idempotency.begin(
        session,
        principal.id,
        idempotency_key,
        "recordOutcome",
        decision_id,
        result,
        amount,
        *([reference] if reference is not None else []),
    )
    if request.result_id is not None:
        found = await repo.outcome(session, request.result_id)
        if found is not None:
            return found
    if not _RESULT.match(result):
        raise HubError(
            f"result {result!r} must be an UPPER_SNAKE_CASE code such as "
            "LOAN_GRANTED, LOAN_DECLINED, BENEFIT_APPLIED or BENEFIT_NOT_USED.",
            ErrorCode.VALIDATION_ERROR,
        )
    decision = await repo.decision(session, decision_id)
    if decision is None:
        raise HubError(f"No decision {decision_id}.", ErrorCode.NOT_FOUND)
    if decision.requester_id != principal.id:
        raise HubError(
            "Only the client that asked for a decision may record its outcome.",
            ErrorCode.FORBIDDEN,
        )
    reference = await _reference(session, decision, reference)
    if decision in session.new:  # decided in this unit of work: write it first
        await session.flush()
    row = await repo.outcome_for(session, decision_id, result)
    if row is None:
        now = hub.clock.now()
        inserted = await repo.add_outcome(
            session,
            {
                "id": new_id(),
                "decision_id": decision_id,
                "result": result,
                "amount": None if money is None else float(money),
                "recorded_at": now,
                "recorded_by": principal.id,
                "reference": reference,
            },
        )
        row = await repo.outcome_for(session, decision_id, result)
        assert row is not None
        if inserted:
            await record_change(
                session,
                actor=principal,
                action="outcome.record",
                outcome="RECORDED",
                at=now,
                subject=decision.uscc,
                detail={
                    "decision": decision_id,
                    "scenario": decision.scenario,
                    "result": result,
                    "amount": None if money is None else str(money),
                    **({"reference": reference} if reference else {}),
                },
            )
    request.remember(session, row.id, hub.clock.now())
    return row


async def _reference(
    session: AsyncSession, decision: Decision, given: str | None
) -> str | None:
    requested = await repo.reference_of(session, decision.consent_id)
    if given is not None and len(given) > 64:
        raise HubError(
            "reference may be at most 64 characters.", ErrorCode.VALIDATION_ERROR
        )
    if requested is not None and given is not None and given != requested:
        raise HubError(
            f"This decision was made under the consent request with reference "
            f"{requested!r}, not {given!r}.",
            ErrorCode.VALIDATION_ERROR,
        )
    return requested if requested is not None else given
