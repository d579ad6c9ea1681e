"""signing keys sealed at rest: the id of the KEK that seals each key

Revision ID: 0008_keys
Revises: 0006
Create Date: 2026-12-01 09:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_keys"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing keys stay plain PEM (sealed_by NULL) until the first start
    # with HUB_KEY_ENCRYPTION_KEY seals them (hub.auth.keys).
    with op.batch_alter_table("signing_keys") as batch:
        batch.add_column(sa.Column("sealed_by", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("signing_keys") as batch:
        batch.drop_column("sealed_by")
