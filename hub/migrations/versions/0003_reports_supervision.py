"""credit reports, inspection draws, white-list applications

Revision ID: 0003
Revises: 0001
Create Date: 2026-12-01 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "credit_reports",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("purpose", sa.String(length=200), nullable=False),
        sa.Column("signed", sa.Text(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(length=64), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["uscc"], ["entities.uscc"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("credit_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_credit_reports_uscc"), ["uscc"], unique=False
        )

    op.create_table(
        "inspection_draws",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("seed", sa.String(length=128), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("industry_code", sa.String(length=8), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("in_scope", sa.Integer(), nullable=False),
        sa.Column("rule_version", sa.String(length=32), nullable=False),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("inspection_draws", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inspection_draws_agency_id"), ["agency_id"], unique=False
        )

    op.create_table(
        "white_list_applications",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("list_name", sa.String(length=200), nullable=False),
        sa.Column("shared", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("membership_id", BIG_ID, nullable=True),
        sa.ForeignKeyConstraint(["uscc"], ["entities.uscc"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("white_list_applications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_white_list_status",
            ["status", "list_name", "decided_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_white_list_applications_uscc"), ["uscc"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("white_list_applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_white_list_applications_uscc"))
        batch_op.drop_index("ix_white_list_status")
    op.drop_table("white_list_applications")
    with op.batch_alter_table("inspection_draws", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_draws_agency_id"))
    op.drop_table("inspection_draws")
    with op.batch_alter_table("credit_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_reports_uscc"))
    op.drop_table("credit_reports")
