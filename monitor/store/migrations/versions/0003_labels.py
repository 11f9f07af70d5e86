"""Predictions kept for late labels, and deployment-gate verdicts.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out rather than imported from modelhealth.store: see 0001.
JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "run_predictions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("row_count", sa.BigInteger(), nullable=False),
        sa.Column("key_column", sa.String(500), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("labeled_at", _when(), nullable=True),
        sa.Column("labeled_rows", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_run_predictions"),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["runs.id"],
            name="fk_run_predictions_run_id_runs",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("run_id", name="uq_run_predictions_run_id"),
    )
    op.create_table(
        "gate_verdicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("candidate_version", sa.String(200), nullable=False),
        sa.Column("baseline_version", sa.String(200), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("row_count", sa.BigInteger(), nullable=False),
        sa.Column("metrics", JSON, nullable=False),
        sa.Column("results", JSON, nullable=False),
        sa.Column("details", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_gate_verdicts"),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["models.id"],
            name="fk_gate_verdicts_model_id_models",
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_gate_verdicts_model_id_created_at",
        "gate_verdicts",
        ["model_id", "created_at"],
    )


def downgrade() -> None:
    op.drop_table("gate_verdicts")
    op.drop_table("run_predictions")
