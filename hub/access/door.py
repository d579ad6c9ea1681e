"""The one door for subject data.

Every access to an enterprise's data — profile, batch item, eligibility,
connector pull, admin queue, dry run, public-list check — calls
:func:`open_door` (or :func:`open_doors` for a batch) with the *basis* of the
access (consent, the subject's own, public list, statutory, admin queue, dry
run; declared in ``policy.yaml``).  It decides from (basis, principal kind,
purpose, categories, consent) and writes the audit event before any data is
loaded; the caller's unit of work commits it together with the read, before
the response leaves.  Refusals are audited in the same unit of work and kept
even when it rolls back (``hub.db``), then raised (or returned, for batches).

A consent decides only while it is usable (``hub.consent.active``): a PAUSED
consent or one whose reads are used up is ``CONSENT_REQUIRED`` with
``extensions.reason`` ``PAUSED`` / ``LIMIT_REACHED``.  Each access granted
under a consent counts one use (``hub.consent.usage``), written with the
audit rows at commit — no extra round trip on the read.

On PostgreSQL a client's profile read may go through :func:`read_in_one`
instead: one statement decides the consent (and counts its use), writes the
audit row and reads the records, committing on its own before any row
reaches the hub; whatever it cannot grant goes to :func:`open_doors`, which
explains and audits the refusal.

The door is structure, not convention: loaders of subject data take a
:class:`Grant`, and only the door makes grants — :func:`admit` refuses any
other object, including a copy of a real grant.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.access.decide import ALL_CATEGORIES, basis_of, decide, needs_consent
from hub.audit.chain import PENDING_PREFIX, append_event, events_committed
from hub.auth.principal import Principal
from hub.consent.active import live_consent
from hub.consent.usage import note_use, pending_uses
from hub.enums import AccessBasis, DataCategory, PrincipalKind, Purpose
from hub.errors import HubError
from hub.logs import note_audit_event
from hub.metrics import ACCESS_DENIALS
from hub.models import AuditEvent, Consent, Entity, new_id

if TYPE_CHECKING:
    from hub.resources import Hub

__all__ = [
    "ALL_CATEGORIES",
    "DoorBypassed",
    "Grant",
    "admit",
    "denied_action",
    "entities_and_consents",
    "open_door",
    "open_doors",
    "may_read_in_one",
    "read_in_one",
]


class DoorBypassed(TypeError):
    """A loader of subject data was called with something the door did not make."""


# Grants the door has made and that are still referenced; identity, not
# equality, so a copy (dataclasses.replace, pickling) is not admitted.
_ISSUED: weakref.WeakSet[Grant] = weakref.WeakSet()


@dataclass(frozen=True, eq=False)
class Grant:
    """Permission for one access to one enterprise's data, already audited."""

    principal: Principal
    uscc: str
    purpose: Purpose | None
    categories: frozenset[DataCategory]
    consent: Consent | None
    audit_event_id: str
    basis: AccessBasis = AccessBasis.CONSENT
    _event: AuditEvent | None = field(default=None, repr=False)

    @property
    def for_subject(self) -> bool:
        """The enterprise reading its own data (sees every marker)."""
        return self.basis is AccessBasis.SUBJECT

    def settle(self, outcome: str, **detail: Any) -> None:
        """Name what the access came to (e.g. ``RESTRICTED``) on its audit
        event, before the unit of work commits it."""
        event = self._event
        if event is None or not event.hash.startswith(PENDING_PREFIX):
            raise RuntimeError("the audit event of this grant is already written")
        event.outcome = outcome
        if detail:
            event.detail = {**(event.detail or {}), **detail}


def admit(*grants: Grant) -> None:
    """Refuse to load subject data without grants made by the door."""
    for grant in grants:
        if not isinstance(grant, Grant) or grant not in _ISSUED:
            raise DoorBypassed(
                "subject data is loaded only under a Grant made by "
                "hub.access.door.open_door(s)"
            )


def denied_action(action: str) -> str:
    """``profile.read`` is refused as ``profile.denied``; others keep their name."""
    return "profile.denied" if action == "profile.read" else action


# Built once: the hot path binds values, it does not rebuild SQL.
_NOW = bindparam("now", type_=Consent.expires_at.type)
_ACTIVE_CONSENTS = (
    select(Consent)
    .where(
        Consent.subject.in_(bindparam("usccs", expanding=True)),
        Consent.grantee_id == bindparam("grantee"),
        Consent.purpose == bindparam("purpose"),
        live_consent(_NOW),
    )
    .order_by(Consent.granted_at)
)


# The entity rows and the caller's active consents over them in one query
# (a profile read needs both; a round trip saved on the hot path).
_ENTITIES_WITH_CONSENTS = (
    select(Entity, Consent)
    .outerjoin(
        Consent,
        and_(
            Consent.subject == Entity.uscc,
            Consent.grantee_id == bindparam("grantee"),
            Consent.purpose == bindparam("purpose"),
            live_consent(_NOW),
        ),
    )
    .where(Entity.uscc.in_(bindparam("usccs", expanding=True)))
    .order_by(Consent.granted_at)
)
_ENTITIES = select(Entity).where(Entity.uscc.in_(bindparam("usccs", expanding=True)))


async def entities_and_consents(
    session: AsyncSession,
    hub: Hub,
    principal: Principal,
    usccs: Sequence[str],
    purpose: Purpose | None,
) -> tuple[dict[str, Entity], dict[str, Consent] | None]:
    """The registered entities among ``usccs`` and, when a consent decides the
    access, the caller's live (ACTIVE or PAUSED) consent for ``purpose`` over
    each — at most one (``uq_consent_live``); pass the latter to
    :func:`open_doors` as ``consents``, which decides whether it is usable."""
    codes = list(dict.fromkeys(usccs))
    if not _consent_decides(hub, principal, codes, purpose):
        rows = await session.scalars(_ENTITIES, {"usccs": codes})
        return {e.uscc: e for e in rows}, None
    entities: dict[str, Entity] = {}
    consents: dict[str, Consent] = {}
    result = await session.execute(
        _ENTITIES_WITH_CONSENTS,
        {
            "usccs": codes,
            "grantee": principal.id,
            "purpose": str(purpose),
            "now": hub.clock.now(),
        },
    )
    for entity, consent in result:
        entities[entity.uscc] = entity
        if consent is not None:
            consents[entity.uscc] = consent
    return entities, consents


def _consent_decides(
    hub: Hub, principal: Principal, usccs: Sequence[str], purpose: Purpose | None
) -> bool:
    return bool(
        usccs
        and needs_consent(hub, principal, usccs[0], purpose) is None
        and principal.kind is not PrincipalKind.SUBJECT
        and purpose is not None
    )


async def _consents(
    session: AsyncSession,
    hub: Hub,
    principal: Principal,
    usccs: Sequence[str],
    purpose: Purpose,
) -> dict[str, Consent]:
    # Revocation takes effect on the next request: always read the rows, never
    # a cached copy (PIPL Art 15; Open Banking consent lifecycle).
    rows = await session.scalars(
        _ACTIVE_CONSENTS,
        {
            "usccs": list(usccs),
            "grantee": principal.id,
            "purpose": str(purpose),
            "now": hub.clock.now(),
        },
    )
    # At most one live consent per subject (uq_consent_live).
    return {c.subject: c for c in rows}


async def _audit_refusals(
    session: AsyncSession,
    hub: Hub,
    principal: Principal,
    purpose: Purpose | None,
    action: str,
    refusals: list[tuple[str, frozenset[DataCategory], HubError]],
    detail: dict[str, Any] | None,
) -> None:
    # Written in the caller's unit of work; if that unit rolls back (the
    # request returns no data), hub.db keeps the refusals in a transaction
    # of their own — after the rollback, so no lock is held against itself.
    for uscc, shown, error in refusals:
        why = error.extra.get("reason")
        await append_event(
            session,
            actor=principal,
            action=denied_action(action),
            outcome=f"DENIED:{error.code}",
            at=hub.clock.now(),
            subject=uscc,
            purpose=purpose,
            consent_id=error.extra.get("consentId"),
            categories=[str(c) for c in shown],
            detail={
                **(detail or {}),
                "requested": action,
                **({"refusal": why} if why else {}),
            },
        )


async def open_doors(
    session: AsyncSession,
    hub: Hub,
    principal: Principal,
    *,
    usccs: Sequence[str],
    purpose: Purpose | None,
    action: str,
    categories: Iterable[DataCategory] | None = None,
    require_all: bool = False,
    detail: dict[str, Any] | None = None,
    consents: Mapping[str, Consent] | None = None,
    basis: AccessBasis | None = None,
    count_use: bool = True,
) -> dict[str, Grant | HubError]:
    """Batch form of :func:`open_door`: one consent query, per-item answers.

    ``consents`` — from :func:`entities_and_consents` — spares the lookup.
    ``basis`` defaults to the subject's own access for SUBJECT principals and
    to a consent for everyone else.  ``count_use=False`` for an access that
    is part of one already counted (a connector pull inside a profile read).
    """
    basis = basis or basis_of(principal)
    wanted = frozenset(categories) if categories is not None else None
    if basis not in (AccessBasis.CONSENT, AccessBasis.SUBJECT):
        consents = {}
        detail = {**(detail or {}), "basis": str(basis)}
    elif consents is None:
        consents = {}
        if _consent_decides(hub, principal, usccs, purpose):
            assert purpose is not None
            consents = await _consents(session, hub, principal, usccs, purpose)
    results: dict[str, Grant | HubError] = {}
    refusals: list[tuple[str, frozenset[DataCategory], HubError]] = []
    now = hub.clock.now()
    for uscc in dict.fromkeys(usccs):
        consent = consents.get(uscc)
        pending = pending_uses(session, consent.id) if consent is not None else 0
        decided = decide(
            hub,
            principal,
            uscc,
            purpose,
            consent,
            wanted,
            require_all,
            basis,
            now,
            pending,
            1 if count_use else 0,
        )
        if isinstance(decided, HubError):
            refusals.append((uscc, wanted or frozenset(), decided))
            results[uscc] = decided
            continue
        event = await append_event(
            session,
            actor=principal,
            action=action,
            outcome="GRANTED",
            at=now,
            subject=uscc,
            purpose=purpose,
            consent_id=consent.id if consent else None,
            categories=[str(c) for c in decided],
            detail=detail,
        )
        if consent is not None and count_use:
            note_use(session, consent, event, now)
        grant = Grant(
            principal, uscc, purpose, decided, consent, event.id, basis, event
        )
        _ISSUED.add(grant)
        results[uscc] = grant
    if refusals:
        for _uscc, _shown, error in refusals:
            ACCESS_DENIALS.labels(str(error.code)).inc()
        await _audit_refusals(
            session, hub, principal, purpose, action, refusals, detail
        )
    return results


async def open_door(
    session: AsyncSession,
    hub: Hub,
    principal: Principal,
    *,
    uscc: str,
    purpose: Purpose | None,
    action: str,
    categories: Iterable[DataCategory] | None = None,
    require_all: bool = False,
    detail: dict[str, Any] | None = None,
    basis: AccessBasis | None = None,
    count_use: bool = True,
) -> Grant:
    """Authorise one access to ``uscc``'s data and audit it (see module doc).

    ``categories=None`` asks for everything the consent covers.  With
    ``require_all`` every requested category must be covered, else
    ``CONSENT_REQUIRED`` names the missing ones.
    """
    result = (
        await open_doors(
            session,
            hub,
            principal,
            usccs=[uscc],
            purpose=purpose,
            action=action,
            categories=categories,
            require_all=require_all,
            detail=detail,
            basis=basis,
            count_use=count_use,
        )
    )[uscc]
    if isinstance(result, HubError):
        raise result
    return result


# One consented read in one statement (PostgreSQL, asyncpg, autocommit): the
# entity, the caller's usable consent counting its use, the audit row and
# the caller's read (``read_sql``, a SELECT over ``used(covered)``) — so the
# audit row commits with the statement, before its rows reach the hub, and
# a consent revoked, paused or used up by then matches nothing.  Anything
# else (no entity, no usable consent) returns ``None`` and the caller takes
# the general path, which explains and audits the refusal.
_SINGLE_READ = """
WITH ent AS (
    SELECT uscc, name, kind, region_code, industry_code, established_on,
           registered_capital, legal_representative, status
    FROM entities WHERE uscc = $1
), used AS (
    UPDATE consents
    SET reads_used = reads_used + 1, last_used_at = $4
    WHERE subject = $1 AND grantee_id = $2 AND purpose = $3
      AND revoked_at IS NULL AND end_reason IS NULL AND expires_at > $4
      AND paused_at IS NULL
      AND (max_reads IS NULL OR reads_used + 1 <= max_reads)
      AND EXISTS (SELECT 1 FROM ent)
    RETURNING id, ARRAY(
        SELECT c FROM json_array_elements_text(categories::json) AS c
        WHERE c = ANY($5::text[]) ORDER BY c COLLATE "C"
    ) AS covered
), audit AS (
    INSERT INTO audit_events (id, at, actor_id, actor_kind, action, subject,
        purpose, consent_id, categories, outcome, detail, prev_hash, hash,
        officer)
    SELECT $6, $4, $2, $7, $8, $1, $3, used.id, to_json(used.covered),
           'GRANTED', NULL, '', $9, $10
    FROM used
    RETURNING id
), rows AS (
    {read}
)
SELECT ent.*, used.id AS consent_id, used.covered,
       (SELECT id FROM audit) AS audit_id, rows.*
FROM ent LEFT JOIN used ON true LEFT JOIN rows ON true
"""
_SINGLE_READS: dict[str, str] = {}


def may_read_in_one(
    hub: Hub, principal: Principal, uscc: str, purpose: Purpose
) -> bool:
    """Whether :func:`read_in_one` can decide this access: a client reading
    under a consent (a refusal no consent can cure takes the general path)."""
    return (
        hub.engine.dialect.name == "postgresql"
        and principal.kind is not PrincipalKind.SUBJECT
        and hub.policy.bases[AccessBasis.CONSENT].categories is None
        and needs_consent(hub, principal, uscc, purpose) is None
    )


async def read_in_one(
    conn: Any,
    hub: Hub,
    principal: Principal,
    *,
    uscc: str,
    purpose: Purpose,
    action: str,
    read_sql: str,
    read_args: Sequence[Any],
) -> tuple[Grant, Any, list[Any]] | None:
    """Open the door and read in one statement on an asyncpg connection.

    ``read_sql`` may use ``used.covered`` (the categories granted, a text
    array) and parameters from ``$11`` on (``read_args``).  Returns the
    grant, the entity row and the rows of the read (each joined to the
    entity row; a read with no rows gives one row of NULLs), or ``None``
    when the general path must decide.  Call only when
    :func:`may_read_in_one` allows.
    """
    sql = _SINGLE_READS.get(read_sql)
    if sql is None:
        sql = _SINGLE_READS[read_sql] = _SINGLE_READ.format(read=read_sql)
    event_id = new_id()
    now = hub.clock.now()
    rows = await conn.fetch(
        sql,
        uscc,
        principal.id,
        str(purpose),
        now,
        sorted(str(c) for c in hub.policy.categories_for(purpose)),
        event_id,
        str(principal.kind),
        action,
        PENDING_PREFIX + event_id,
        principal.officer,
        *read_args,
    )
    if not rows or rows[0]["consent_id"] is None:
        return None
    events_committed()
    first = rows[0]
    note_audit_event(first["audit_id"])  # the request's log lines name it
    grant = Grant(
        principal,
        uscc,
        purpose,
        frozenset(DataCategory(c) for c in first["covered"]),
        None,
        first["audit_id"],
        AccessBasis.CONSENT,
    )
    _ISSUED.add(grant)
    return grant, first, rows
