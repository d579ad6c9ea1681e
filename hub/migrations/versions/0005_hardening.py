"""hardening: client secret versions, signed audit checkpoints

Revision ID: 0005
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Access tokens carry the secret version they were issued under; a
    # rotation raises it and so refuses every token issued before.
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "secret_version", sa.Integer(), nullable=False, server_default="0"
            )
        )
    # Signed statements of the audit chain's head: deleting the newest events
    # is detected against the latest one (contract v2, "Audit anchoring").
    op.create_table(
        "audit_checkpoints",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )


def downgrade() -> None:
    op.drop_table("audit_checkpoints")
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_column("secret_version")
