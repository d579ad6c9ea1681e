"""Storage model.  One declarative base; the same tables on SQLite and PostgreSQL.

Enumerations are stored as their string values (see ``hub.enums``) so that
rows stay readable to operators and portable between the two backends.
"""

from __future__ import annotations

import os
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
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from hub.clock import utc

__all__ = [
    "AuditCheckpoint",
    "AuditEvent",
    "Base",
    "Client",
    "Commitment",
    "Consent",
    "ConsentReceipt",
    "ConsentRequest",
    "CreditRecord",
    "CreditReport",
    "Decision",
    "Entity",
    "EvaluationRow",
    "EventRecipient",
    "IdempotencyKey",
    "InspectionDraw",
    "ListMembership",
    "ListObjection",
    "Notice",
    "Objection",
    "OutboxEvent",
    "PortalLoginLink",
    "Outcome",
    "QuarantinedRow",
    "RepairApplication",
    "ImportRun",
    "ScenarioRuleVersion",
    "SigningKey",
    "SourceStatusRow",
    "WhiteListApplication",
    "Webhook",
    "WebhookDelivery",
    "new_id",
]

BigId = BigInteger().with_variant(Integer, "sqlite")


def new_id() -> str:
    """A random (version 4) UUID's 32 hex digits, as ``uuid.uuid4().hex``
    without building the UUID object."""
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40
    raw[8] = raw[8] & 0x3F | 0x80
    return raw.hex()


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
        Index("ix_list_member_record", "record_source", "record_source_id"),
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
    # ACTIVE; DISPUTED while a list objection is open (the listing keeps its
    # effect); ENDED once removed (objection, repair, performance, term).
    status: Mapped[str] = mapped_column(
        String(8), default="ACTIVE", server_default="ACTIVE"
    )
    # The record the listing rests on (平信用〔2021〕1号 §12: a repair of it
    # ends the listing); (source, source_id) of credit_records.
    record_source: Mapped[str | None] = mapped_column(String(64))
    record_source_id: Mapped[str | None] = mapped_column(String(128))
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(32))


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


class ImportRun(Base):
    """One import of a file (or re-submission of the quarantine) and its counts."""

    __tablename__ = "import_runs"
    __table_args__ = (Index("ix_import_runs_started", "started_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    source_file: Mapped[str] = mapped_column(String(500))
    # IMPORT or RESUBMIT
    kind: Mapped[str] = mapped_column(String(16))
    # RUNNING, DONE or FAILED
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    quarantined: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


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
    # Raised by each secret rotation; access tokens carry the version they
    # were issued under (claim ``sv``) and die with it (contract v2).
    secret_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class SigningKey(Base):
    __tablename__ = "signing_keys"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    alg: Mapped[str] = mapped_column(String(8))
    # The private key: PKCS#8 PEM when ``sealed_by`` is empty (development
    # without a KEK), else sealed under the KEK of that id (hub.auth.sealing).
    private_pem: Mapped[str] = mapped_column(Text)
    sealed_by: Mapped[str | None] = mapped_column(String(16))
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    # A retired key signs nothing new but stays published until its tokens
    # and receipts can no longer be valid.
    retired_at: Mapped[datetime | None]
    publish_until: Mapped[datetime | None]


# A consent is live (ACTIVE or PAUSED) until it gets an end reason; at most
# one live consent per (subject, grantee, purpose) — a new one supersedes.
_LIVE = text("end_reason IS NULL")


class Consent(Base):
    __tablename__ = "consents"
    __table_args__ = (
        Index("ix_consent_lookup", "subject", "grantee_id", "purpose"),
        Index(
            "uq_consent_live",
            "subject",
            "grantee_id",
            "purpose",
            unique=True,
            sqlite_where=_LIVE,
            postgresql_where=_LIVE,
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    subject: Mapped[str] = mapped_column(ForeignKey("entities.uscc"))
    grantee_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    categories: Mapped[list[str]] = mapped_column(JSON)
    granted_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    granted_by: Mapped[str] = mapped_column(String(64))
    # The latest receipt (every receipt is kept in consent_receipts).
    receipt: Mapped[str] = mapped_column(Text)
    # Usage limits: reads allowed (the purpose's fair-use limit when the
    # grant named none) and counted at the door; days the grantee may keep
    # what it read.
    max_reads: Mapped[int | None] = mapped_column(Integer)
    reads_used: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_used_at: Mapped[datetime | None]
    data_life_days: Mapped[int | None] = mapped_column(Integer)
    paused_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(32))
    # When the end was recorded (revocation, supersession, the expiry sweep).
    ended_at: Mapped[datetime | None]
    request_id: Mapped[str | None] = mapped_column(String(32), index=True)
    # When the CONSENT_EXPIRING reminder was written (once per consent).
    expiry_notice_at: Mapped[datetime | None]


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
    # The client's own staff member behind the request (X-Hub-Officer).
    officer: Mapped[str | None] = mapped_column(String(64))


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
    # The requester's reference of the consent request behind the decision
    # (e.g. its loan application number), for the 信易贷 funnel.
    reference: Mapped[str | None] = mapped_column(String(64))


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
    # Whether filing marked the record DISPUTED.  A repeated objection on a
    # record whose earlier one was resolved does not (contract v2).
    suspends: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


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


class CreditReport(Base):
    """A signed credit report an enterprise issued about itself (hub.reports).

    ``signed`` is the report: a compact JWS whose payload is the report's
    canonical JSON; the other columns index it.  The id is random and long
    (≥ 128 bits) because holding it is what lets anyone see the report.
    """

    __tablename__ = "credit_reports"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    uscc: Mapped[str] = mapped_column(
        ForeignKey("entities.uscc", ondelete="CASCADE"), index=True
    )
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    sections: Mapped[list[str]] = mapped_column(JSON)
    purpose: Mapped[str] = mapped_column(String(200))
    signed: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime]
    issued_by: Mapped[str] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None]


class InspectionDraw(Base):
    """A random inspection draw (双随机) and what it drew, kept as evidence."""

    __tablename__ = "inspection_draws"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    agency_id: Mapped[str] = mapped_column(String(64), index=True)
    seed: Mapped[str] = mapped_column(String(128))
    region_code: Mapped[str] = mapped_column(String(6))
    industry_code: Mapped[str | None] = mapped_column(String(8))
    size: Mapped[int] = mapped_column(Integer)
    in_scope: Mapped[int] = mapped_column(Integer)
    rule_version: Mapped[str] = mapped_column(String(32))
    drawn_at: Mapped[datetime]
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class WhiteListApplication(Base):
    """An enterprise's application to a lending white list (平信用〔2021〕1号).

    ``shared`` (what banks may see with the entry) is fixed at application;
    approval makes a WHITE list membership (``membership_id``).
    """

    __tablename__ = "white_list_applications"
    __table_args__ = (
        Index("ix_white_list_status", "status", "list_name", "decided_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    uscc: Mapped[str] = mapped_column(
        ForeignKey("entities.uscc", ondelete="CASCADE"), index=True
    )
    list_name: Mapped[str] = mapped_column(String(200))
    shared: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="PENDING")
    note: Mapped[str | None] = mapped_column(Text)
    decision_note: Mapped[str | None] = mapped_column(Text)
    applied_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(64))
    withdrawn_at: Mapped[datetime | None]
    membership_id: Mapped[int | None] = mapped_column(BigId)


class ListObjection(Base):
    """An objection to a list membership (contract v2, "Lists")."""

    __tablename__ = "list_objections"
    __table_args__ = (Index("ix_list_objection_due", "due_by", "id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    membership_id: Mapped[int] = mapped_column(
        ForeignKey("list_memberships.id", ondelete="CASCADE"), index=True
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
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)


class ConsentRequest(Base):
    """A grantee asks an enterprise for a consent; the enterprise answers."""

    __tablename__ = "consent_requests"
    __table_args__ = (
        Index("ix_consent_request_subject", "subject", "created_at"),
        Index("ix_consent_request_requester", "requester_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    subject: Mapped[str] = mapped_column(ForeignKey("entities.uscc"))
    requester_id: Mapped[str] = mapped_column(ForeignKey("clients.id"))
    purpose: Mapped[str] = mapped_column(String(16))
    scenario: Mapped[str | None] = mapped_column(String(64))
    categories: Mapped[list[str]] = mapped_column(JSON)
    duration_days: Mapped[int] = mapped_column(Integer)
    max_reads: Mapped[int | None] = mapped_column(Integer)
    data_life_days: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    reference: Mapped[str | None] = mapped_column(String(64))
    # PENDING until answered; a PENDING row past expires_at is EXPIRED (the
    # sweep writes that down).
    status: Mapped[str] = mapped_column(String(16), default="PENDING")
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(64))
    consent_id: Mapped[str | None] = mapped_column(String(32))
    rejection_reason: Mapped[str | None] = mapped_column(Text)


class ConsentReceipt(Base):
    """Every signed receipt of a consent (grant, amend, pause, …), in order."""

    __tablename__ = "consent_receipts"
    __table_args__ = (Index("ix_consent_receipt_consent", "consent_id", "n"),)

    n: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(32), unique=True, default=new_id)
    consent_id: Mapped[str] = mapped_column(ForeignKey("consents.id"))
    event: Mapped[str] = mapped_column(String(16))
    issued_at: Mapped[datetime]
    jws: Mapped[str] = mapped_column(Text)


class AuditCheckpoint(Base):
    """A signed statement of the audit chain's head (contract v2, "Audit anchoring").

    The sealer writes one every ``HUB_AUDIT_CHECKPOINT_SECONDS``; they are
    published at ``GET /audit/checkpoints``, so removing the newest events
    (which re-hashing alone cannot notice) no longer goes unseen.
    """

    __tablename__ = "audit_checkpoints"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    # Compact JWS over {"seq", "hash", "at"} with the hub's signing key.
    signature: Mapped[str] = mapped_column(Text)


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


# --- the enterprise portal (hub.portal) -------------------------------------


class PortalLoginLink(Base):
    """A one-time portal login link (development): only its hash is kept.

    Redeeming sets ``used_at`` in one conditional UPDATE, so of two workers
    given the same link only one signs in.
    """

    __tablename__ = "portal_login_links"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    uscc: Mapped[str] = mapped_column(ForeignKey("entities.uscc"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
