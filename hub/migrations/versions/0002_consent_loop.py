"""consent loop: requests, lifecycle, usage limits, receipts, outbox, officers

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 09:00:00

Existing data is brought under the new rules: revoked consents get their end
reason, and where one (subject, grantee, purpose) holds several live consents
the older ones end — SUPERSEDED by the next grant, or EXPIRED if they had run
out before it — so that at most one stays live (the partial unique index
``uq_consent_live``). Every existing receipt becomes that consent's grant
receipt.
"""

from __future__ import annotations

from itertools import groupby

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0004"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)
LIVE = sa.text("end_reason IS NULL")


def _consent_columns() -> None:
    with op.batch_alter_table("consents") as batch:
        batch.add_column(sa.Column("max_reads", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("reads_used", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("last_used_at", TS, nullable=True))
        batch.add_column(sa.Column("data_life_days", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("paused_at", TS, nullable=True))
        batch.add_column(sa.Column("end_reason", sa.String(32), nullable=True))
        batch.add_column(sa.Column("ended_at", TS, nullable=True))
        batch.add_column(sa.Column("request_id", sa.String(32), nullable=True))
        batch.add_column(sa.Column("expiry_notice_at", TS, nullable=True))
        batch.create_index("ix_consents_request_id", ["request_id"])


def _end_duplicates() -> None:
    bind = op.get_bind()
    consents = sa.table(
        "consents",
        sa.column("id", sa.String),
        sa.column("subject", sa.String),
        sa.column("grantee_id", sa.String),
        sa.column("purpose", sa.String),
        sa.column("granted_at", TS),
        sa.column("expires_at", TS),
        sa.column("revoked_at", TS),
        sa.column("end_reason", sa.String),
        sa.column("ended_at", TS),
    )
    c = consents.c
    bind.execute(
        consents.update()
        .where(c.revoked_at.is_not(None))
        .values(end_reason="REVOKED_BY_SUBJECT", ended_at=c.revoked_at)
    )
    live = bind.execute(
        sa.select(c.id, c.subject, c.grantee_id, c.purpose, c.granted_at, c.expires_at)
        .where(c.revoked_at.is_(None))
        .order_by(c.subject, c.grantee_id, c.purpose, c.granted_at, c.id)
    ).all()
    for _key, group in groupby(live, key=lambda r: (r[1], r[2], r[3])):
        rows = list(group)
        for older, newer in zip(rows, rows[1:], strict=False):
            if older.expires_at <= newer.granted_at:
                values = {"end_reason": "EXPIRED", "ended_at": older.expires_at}
            else:
                values = {
                    "end_reason": "SUPERSEDED",
                    "revoked_at": newer.granted_at,
                    "ended_at": newer.granted_at,
                }
            bind.execute(consents.update().where(c.id == older.id).values(**values))


def upgrade() -> None:
    _consent_columns()
    _end_duplicates()
    op.create_index(
        "uq_consent_live",
        "consents",
        ["subject", "grantee_id", "purpose"],
        unique=True,
        sqlite_where=LIVE,
        postgresql_where=LIVE,
    )
    with op.batch_alter_table("audit_events") as batch:
        batch.add_column(sa.Column("officer", sa.String(64), nullable=True))
    with op.batch_alter_table("outcomes") as batch:
        batch.add_column(sa.Column("reference", sa.String(64), nullable=True))

    op.create_table(
        "consent_requests",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "subject", sa.String(18), sa.ForeignKey("entities.uscc"), nullable=False
        ),
        sa.Column(
            "requester_id", sa.String(32), sa.ForeignKey("clients.id"), nullable=False
        ),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("scenario", sa.String(64), nullable=True),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("duration_days", sa.Integer(), nullable=False),
        sa.Column("max_reads", sa.Integer(), nullable=True),
        sa.Column("data_life_days", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reference", sa.String(64), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("decided_at", TS, nullable=True),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("consent_id", sa.String(32), nullable=True),
        sa.Column("rejection_reason", sa.Text(), nullable=True),
    )
    op.create_index(
        "ix_consent_request_subject", "consent_requests", ["subject", "created_at"]
    )
    op.create_index(
        "ix_consent_request_requester",
        "consent_requests",
        ["requester_id", "created_at"],
    )

    op.create_table(
        "consent_receipts",
        sa.Column("n", BigId, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(32), nullable=False, unique=True),
        sa.Column(
            "consent_id", sa.String(32), sa.ForeignKey("consents.id"), nullable=False
        ),
        sa.Column("event", sa.String(16), nullable=False),
        sa.Column("issued_at", TS, nullable=False),
        sa.Column("jws", sa.Text(), nullable=False),
    )
    op.create_index(
        "ix_consent_receipt_consent", "consent_receipts", ["consent_id", "n"]
    )
    # The one receipt each existing consent has is its grant receipt; its id
    # is the consent's (v1 receipts carry no receipt id of their own).
    op.execute(
        "INSERT INTO consent_receipts (id, consent_id, event, issued_at, jws) "
        "SELECT id, id, 'grant', granted_at, receipt FROM consents "
        "ORDER BY granted_at, id"
    )


def downgrade() -> None:
    op.drop_table("consent_receipts")
    op.drop_table("consent_requests")
    with op.batch_alter_table("outcomes") as batch:
        batch.drop_column("reference")
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_column("officer")
    op.drop_index("uq_consent_live", table_name="consents")
    with op.batch_alter_table("consents") as batch:
        batch.drop_index("ix_consents_request_id")
        for name in (
            "expiry_notice_at",
            "request_id",
            "ended_at",
            "end_reason",
            "paused_at",
            "data_life_days",
            "last_used_at",
            "reads_used",
            "max_reads",
        ):
            batch.drop_column(name)
