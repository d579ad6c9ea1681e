"""Storage model.  One declarative base; the same tables on SQLite and PostgreSQL.

Enumerations are stored as their string values (see ``hub.enums``) so that
rows stay readable to operators and portable between the two backends.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from hub.clock import utc

__all__ = [
    "AuditEvent",
    "Base",
    "Client",
    "Commitment",
    "Consent",
    "CreditRecord",
    "Decision",
    "Entity",
    "EvaluationRow",
    "EventRecipient",
    "IdempotencyKey",
    "ListMembership",
    "Notice",
    "Objection",
    "OutboxEvent",
    "Outcome",
    "QuarantinedRow",
    "RepairApplication",
    "ScenarioRuleVersion",
    "SigningKey",
    "SourceStatusRow",
    "Webhook",
    "WebhookDelivery",
    "new_id",
]

BigId = BigInteger().with_variant(Integer, "sqlite")


def new_id() -> str:
    return uuid.uuid4().hex


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes on both backends (SQLite stores naive UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> Any:
        if value is None:
            return None
        value = utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> Any:
        return None if value is None else utc(value)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON}


class Entity(Base):
    __tablename__ = "entities"

    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    industry_code: Mapped[str | None] = mapped_column(String(8))
    established_on: Mapped[date | None] = mapped_column(Date)
    registered_capital: Mapped[float | None] = mapped_column(Float)
    legal_representative: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(32))
    # Bumped on every change to the entity's records or lists; the evaluation
    # cache compares it to decide whether to recompute.
    data_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class CreditRecord(Base):
    __tablename__ = "credit_records"
    __table_args__ = (
        UniqueConstraint("source", "source_id", name="uq_record_source"),
        Index("ix_record_uscc_category", "uscc", "category", "decided_on"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(ForeignKey("entities.uscc", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(64))
    source_id: Mapped[str] = mapped_column(String(128))
    category: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="ACTIVE")
    title: Mapped[str] = mapped_column(String(500))
    authority: Mapped[str | None] = mapped_column(String(200))
    occurred_on: Mapped[date | None] = mapped_column(Date)
    decided_on: Mapped[date | None] = mapped_column(Date)
    # The day the act (or its consequences) ended; 征信业管理条例 Art 16 counts
    # the five-year retention of negative information from here.
    ended_on: Mapped[date | None] = mapped_column(Date)
    publish_from: Mapped[date | None] = mapped_column(Date)
    publish_until: Mapped[date | None] = mapped_column(Date)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Provenance: when the hub first saw it, last changed it, last fetched it.
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    fetched_at: Mapped[datetime | None]


class ListMembership(Base):
    __tablename__ = "list_memberships"
    __table_args__ = (
        UniqueConstraint("uscc", "kind", "list_name", "since", name="uq_list_member"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(
        ForeignKey("entities.uscc", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(8))
    list_name: Mapped[str] = mapped_column(String(200))
    basis: Mapped[str] = mapped_column(String(500))
    since: Mapped[date] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class QuarantinedRow(Base):
    __tablename__ = "quarantined_rows"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source_file: Mapped[str] = mapped_column(String(500))
    line_no: Mapped[int] = mapped_column(Integer)
    row_type: Mapped[str | None] = mapped_column(String(16))
    raw: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]


class Client(Base):
    __tablename__ = "clients"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(256))
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class SigningKey(Base):
    __tablename__ = "signing_keys"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    alg: Mapped[str] = mapped_column(String(8))
    private_pem: Mapped[str] = mapped_column(Text)
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    # A retired key signs nothing new but stays published until its tokens
    # and receipts can no longer be valid.
    retired_at: Mapped[datetime | None]
    publish_until: Mapped[datetime | None]


class Consent(Base):
    __tablename__ = "consents"
    __table_args__ = (Index("ix_consent_lookup", "subject", "grantee_id", "purpose"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    subject: Mapped[str] = mapped_column(ForeignKey("entities.uscc"))
    grantee_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    categories: Mapped[list[str]] = mapped_column(JSON)
    granted_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    granted_by: Mapped[str] = mapped_column(String(64))
    receipt: Mapped[str] = mapped_column(Text)


class AuditEvent(Base):
    """Tamper-evident access and action log (hash chain over canonical JSON).

    An event is written in the same transaction as the access it records
    (``n`` orders events as written; ``id`` is its public identifier).  The
    sealer then links committed events onto the chain in ``n`` order,
    assigning ``seq`` and replacing the provisional ``hash`` (see
    ``hub.audit.chain``).
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_subject", "subject", "n"),
        Index("ix_audit_actor", "actor_id", "n"),
        Index("ix_audit_unsealed", "seq", "n"),
    )

    n: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(32), unique=True, default=new_id)
    seq: Mapped[int | None] = mapped_column(BigId, unique=True)
    at: Mapped[datetime]
    actor_id: Mapped[str] = mapped_column(String(64))
    actor_kind: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject: Mapped[str | None] = mapped_column(String(18))
    purpose: Mapped[str | None] = mapped_column(String(16))
    consent_id: Mapped[str | None] = mapped_column(String(32))
    categories: Mapped[list[str]] = mapped_column(JSON)
    outcome: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(80), unique=True)


class EvaluationRow(Base):
    __tablename__ = "evaluations"

    uscc: Mapped[str] = mapped_column(
        ForeignKey("entities.uscc", ondelete="CASCADE"), primary_key=True
    )
    score: Mapped[int] = mapped_column(Integer)
    grade: Mapped[str] = mapped_column(String(1))
    model_version: Mapped[str] = mapped_column(String(32))
    evaluated_at: Mapped[datetime]
    factors: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    data_version: Mapped[int] = mapped_column(Integer)


class ScenarioRuleVersion(Base):
    __tablename__ = "scenario_rule_versions"
    __table_args__ = (UniqueConstraint("scenario", "version", name="uq_rule_version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    scenario: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[str] = mapped_column(String(32))
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)
    published_at: Mapped[datetime]
    published_by: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Decision(Base):
    __tablename__ = "decisions"
    __table_args__ = (Index("ix_decision_scenario", "scenario", "decided_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    scenario: Mapped[str] = mapped_column(String(64))
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    benefits: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    rule_version: Mapped[str] = mapped_column(String(32))
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)
    requester_id: Mapped[str] = mapped_column(String(64))
    requester_kind: Mapped[str] = mapped_column(String(16))
    consent_id: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime]


class Outcome(Base):
    __tablename__ = "outcomes"
    __table_args__ = (UniqueConstraint("decision_id", "result", name="uq_outcome"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    decision_id: Mapped[str] = mapped_column(ForeignKey("decisions.id"))
    result: Mapped[str] = mapped_column(String(32))
    amount: Mapped[float | None] = mapped_column(Float)
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(64))


class Objection(Base):
    __tablename__ = "objections"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    record_id: Mapped[int] = mapped_column(
        ForeignKey("credit_records.id", ondelete="CASCADE"), index=True
    )
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    status: Mapped[str] = mapped_column(String(16), default="OPEN")
    reason: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[datetime]
    due_by: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(Text)
    filed_by: Mapped[str] = mapped_column(String(64))
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    corrections: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Record status before the objection, restored when it is UPHELD.
    prior_status: Mapped[str] = mapped_column(String(16), default="ACTIVE")
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)


class RepairApplication(Base):
    __tablename__ = "repair_applications"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    record_id: Mapped[int] = mapped_column(
        ForeignKey("credit_records.id", ondelete="CASCADE"), index=True
    )
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    status: Mapped[str] = mapped_column(String(16), default="PENDING")
    method: Mapped[str] = mapped_column(String(32))
    evidence: Mapped[str] = mapped_column(Text)
    applied_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(Text)
    applied_by: Mapped[str] = mapped_column(String(64))
    decided_by: Mapped[str | None] = mapped_column(String(64))


class Commitment(Base):
    __tablename__ = "commitments"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    uscc: Mapped[str] = mapped_column(
        ForeignKey("entities.uscc", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    content: Mapped[str] = mapped_column(Text)
    made_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="PENDING")
    fulfilled_on: Mapped[date | None] = mapped_column(Date)
    breach_record_id: Mapped[int | None] = mapped_column(BigId)
    created_at: Mapped[datetime]


class SourceStatusRow(Base):
    """Freshness of one external source for one entity."""

    __tablename__ = "source_status"

    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    as_of: Mapped[datetime | None]
    last_attempt_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)


class IdempotencyKey(Base):
    """Replays of consent, objection and outcome mutations return the first result."""

    __tablename__ = "idempotency_keys"

    principal_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    operation: Mapped[str] = mapped_column(String(64))
    result_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


# --- events out (hub.events): the outbox and what it is delivered as -------


class OutboxEvent(Base):
    """One thing others must hear of, written in the transaction of the change.

    ``routed_at`` stays NULL until a dispatcher has worked out who hears of it
    (recipients, webhook deliveries, the subject's notice) — in one transaction
    of its own, so an event is routed exactly once.  ``dedupe_key`` lets two
    concurrent writers of the same fact (e.g. two reads recomputing one grade)
    write one event.
    """

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_unrouted", "routed_at", "n"),
        Index("ix_events_uscc", "uscc", "n"),
    )

    n: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(32), unique=True, default=new_id)
    type: Mapped[str] = mapped_column(String(40))
    uscc: Mapped[str] = mapped_column(String(18))
    at: Mapped[datetime]
    # No foreign keys: an event outlives what it is about (records are
    # deleted after 5 years, 征信业管理条例 Art 16; the notice stays).
    record_id: Mapped[int | None] = mapped_column(BigId)
    category: Mapped[str | None] = mapped_column(String(32))
    #: The grantee (CONSENT_*) or requester (CONSENT_REQUEST_DECIDED).
    client_id: Mapped[str | None] = mapped_column(String(32))
    consent_id: Mapped[str | None] = mapped_column(String(32))
    consent_request_id: Mapped[str | None] = mapped_column(String(32))
    reference: Mapped[str | None] = mapped_column(String(128))
    #: ``list`` (the membership) or ``grade`` (from, to, score), as emitted.
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    routed_at: Mapped[datetime | None]


class EventRecipient(Base):
    """A client that hears of an event, and the event as that client may see it
    (``payload``: the GraphQL ``Event``'s fields, camelCase), decided once."""

    __tablename__ = "event_recipients"
    __table_args__ = (
        UniqueConstraint("event_id", "client_id", name="uq_event_recipient"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    client_id: Mapped[str] = mapped_column(String(32), index=True)
    #: MONITORING, PAST_READER, GRANTEE or REQUESTER.
    reason: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]


class Webhook(Base):
    """A client's endpoint (Standard Webhooks).  The signing secret is kept as
    the sender must keep it, to sign; it is shown to the client only once."""

    __tablename__ = "webhooks"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    #: Event types to send; empty: every type.
    events: Mapped[list[str]] = mapped_column(JSON)
    secret: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    deleted_at: Mapped[datetime | None]


class WebhookDelivery(Base):
    """One message to one endpoint: its state lives here, so a dispatcher that
    dies mid-delivery loses nothing (the claim lapses and another retries).

    ``next_attempt_at`` is NULL once delivered or given up; ``claim`` and
    ``claimed_until`` fence one attempt to one worker.
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_delivery_due", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    webhook_id: Mapped[str] = mapped_column(
        ForeignKey("webhooks.id", ondelete="CASCADE"), index=True
    )
    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("event_recipients.id", ondelete="CASCADE")
    )
    event_id: Mapped[str] = mapped_column(String(32))
    #: The ``webhook-id`` header: one per event and endpoint, kept across retries.
    message_id: Mapped[str] = mapped_column(String(40), unique=True)
    #: The exact bytes signed and sent, the same on every attempt.
    body: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: Index into the retry schedule of the next failure's wait.
    step: Mapped[int] = mapped_column(Integer, default=0)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(300))
    next_attempt_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    failed: Mapped[bool] = mapped_column(Boolean, default=False)
    claim: Mapped[str | None] = mapped_column(String(32))
    claimed_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Notice(Base):
    """The subject's inbox: every event about it, in Chinese."""

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notice_inbox", "uscc", "created_at", "id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    uscc: Mapped[str] = mapped_column(String(18))
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    read_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
