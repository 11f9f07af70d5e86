"""The first tables: models, baselines, runs, check results and column profiles.

Revision ID: 0001
Revises:
Create Date: 2026-03-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out rather than imported from modelhealth.store.models: a migration must keep
# describing the schema of its day when the models move on.
JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_models"),
        sa.UniqueConstraint("name", name="uq_models_name"),
    )
    op.create_table(
        "baselines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(200), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("row_count", sa.BigInteger(), nullable=False),
        sa.Column("metrics", JSON, nullable=False),
        sa.Column("details", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_baselines"),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["models.id"],
            name="fk_baselines_model_id_models",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "model_id", "version", name="uq_baselines_model_id_version"
        ),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("run_key", sa.String(200), nullable=False),
        sa.Column("model_version", sa.String(200), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("row_count", sa.BigInteger(), nullable=False),
        sa.Column("started_at", _when(), nullable=False),
        sa.Column("finished_at", _when(), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("reference", sa.String(200), nullable=True),
        sa.Column("counts", JSON, nullable=False),
        sa.Column("details", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_runs"),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["models.id"],
            name="fk_runs_model_id_models",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("model_id", "run_key", name="uq_runs_model_id_run_key"),
    )
    op.create_index("ix_runs_model_id_finished_at", "runs", ["model_id", "finished_at"])
    op.create_index("ix_runs_finished_at", "runs", ["finished_at"])
    op.create_table(
        "check_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("check_id", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(500), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("threshold", JSON, nullable=False),
        sa.Column("metrics", JSON, nullable=False),
        sa.Column("details", JSON, nullable=False),
        sa.Column("failures", JSON, nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("started_at", _when(), nullable=False),
        sa.Column("finished_at", _when(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_check_results"),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["runs.id"],
            name="fk_check_results_run_id_runs",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["models.id"],
            name="fk_check_results_model_id_models",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_check_results_run_id", "check_results", ["run_id"])
    op.create_index(
        "ix_check_results_model_id_check_id_subject",
        "check_results",
        ["model_id", "check_id", "subject"],
    )
    op.create_table(
        "column_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("baseline_id", sa.Integer(), nullable=True),
        sa.Column("column_name", sa.String(500), nullable=False),
        sa.Column("profile", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_column_profiles"),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["runs.id"],
            name="fk_column_profiles_run_id_runs",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["baseline_id"],
            ["baselines.id"],
            name="fk_column_profiles_baseline_id_baselines",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(
            "(run_id IS NULL) <> (baseline_id IS NULL)",
            name="ck_column_profiles_one_owner",
        ),
    )
    op.create_index("ix_column_profiles_run_id", "column_profiles", ["run_id"])
    op.create_index(
        "ix_column_profiles_baseline_id", "column_profiles", ["baseline_id"]
    )


def downgrade() -> None:
    for table in ("column_profiles", "check_results", "runs", "baselines", "models"):
        op.drop_table(table)
