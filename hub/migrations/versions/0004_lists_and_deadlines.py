"""lists you can object to: membership status and record, list objections;
objections that do not suspend

Revision ID: 0004
Revises: 0001
Create Date: 2026-12-01 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("list_memberships", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "status", sa.String(length=8), nullable=False, server_default="ACTIVE"
            )
        )
        batch_op.add_column(
            sa.Column("record_source", sa.String(length=64), nullable=True)
        )
        batch_op.add_column(
            sa.Column("record_source_id", sa.String(length=128), nullable=True)
        )
        batch_op.add_column(
            sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("end_reason", sa.String(length=32), nullable=True)
        )
        batch_op.create_index(
            "ix_list_member_record", ["record_source", "record_source_id"]
        )
    with op.batch_alter_table("objections", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "suspends", sa.Boolean(), nullable=False, server_default=sa.true()
            )
        )
    op.create_table(
        "list_objections",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column(
            "membership_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("filed_by", sa.String(length=64), nullable=False),
        sa.Column("resolved_by", sa.String(length=64), nullable=True),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["membership_id"], ["list_memberships.id"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("list_objections", schema=None) as batch_op:
        batch_op.create_index(
            "ix_list_objections_membership_id", ["membership_id"], unique=False
        )
        batch_op.create_index("ix_list_objections_uscc", ["uscc"], unique=False)
        batch_op.create_index("ix_list_objection_due", ["due_by", "id"], unique=False)


def downgrade() -> None:
    op.drop_table("list_objections")
    with op.batch_alter_table("objections", schema=None) as batch_op:
        batch_op.drop_column("suspends")
    with op.batch_alter_table("list_memberships", schema=None) as batch_op:
        batch_op.drop_index("ix_list_member_record")
        batch_op.drop_column("end_reason")
        batch_op.drop_column("ended_at")
        batch_op.drop_column("record_source_id")
        batch_op.drop_column("record_source")
        batch_op.drop_column("status")
