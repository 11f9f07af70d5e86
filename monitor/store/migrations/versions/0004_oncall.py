"""Acknowledgements, silences and maintenance windows of incidents.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out rather than imported from modelhealth.store: see 0001.
JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("acked_by", sa.String(200), nullable=True))
        batch.add_column(sa.Column("acked_at", _when(), nullable=True))
        batch.add_column(sa.Column("acked_until", _when(), nullable=True))
        batch.add_column(sa.Column("silence_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("maintenance", sa.String(200), nullable=True))
    op.create_table(
        "silences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("check_id", sa.String(200), nullable=True),
        sa.Column("subject", sa.String(500), nullable=True),
        sa.Column("severities", JSON, nullable=False),
        sa.Column("starts_at", _when(), nullable=False),
        sa.Column("ends_at", _when(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_silences"),
    )
    op.create_index("ix_silences_model_ends_at", "silences", ["model", "ends_at"])


def downgrade() -> None:
    op.drop_table("silences")
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("maintenance")
        batch.drop_column("silence_id")
        batch.drop_column("acked_until")
        batch.drop_column("acked_at")
        batch.drop_column("acked_by")
