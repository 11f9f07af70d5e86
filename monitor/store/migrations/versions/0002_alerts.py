"""Incidents and the alert outbox.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out rather than imported from modelhealth.store: see 0001.
JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("check_id", sa.String(200), nullable=False),
        sa.Column("subject", sa.String(500), nullable=True),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("opened_at", _when(), nullable=False),
        sa.Column("resolved_at", _when(), nullable=True),
        sa.Column("last_seen_at", _when(), nullable=False),
        sa.Column("first_run_id", sa.String(200), nullable=False),
        sa.Column("last_run_id", sa.String(200), nullable=False),
        sa.Column("runs_count", sa.Integer(), nullable=False),
        sa.Column("notifications", sa.Integer(), nullable=False),
        sa.Column("routes", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_incidents"),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["models.id"],
            name="fk_incidents_model_id_models",
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_incidents_model_id_check_id_subject",
        "incidents",
        ["model_id", "check_id", "subject"],
    )
    op.create_index(
        "ix_incidents_status_opened_at", "incidents", ["status", "opened_at"]
    )
    op.create_table(
        "alert_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("run_key", sa.String(200), nullable=True),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("route_key", sa.String(64), nullable=False),
        sa.Column("route", JSON, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("alert", JSON, nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("next_attempt_at", _when(), nullable=False),
        sa.Column("claimed_until", _when(), nullable=True),
        sa.Column("delivered_at", _when(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("response", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_alert_outbox"),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["models.id"],
            name="fk_alert_outbox_model_id_models",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["alert_outbox.id"],
            name="fk_alert_outbox_parent_id_alert_outbox",
            ondelete="SET NULL",
        ),
        sa.UniqueConstraint("key", name="uq_alert_outbox_key"),
    )
    op.create_index(
        "ix_alert_outbox_status_next_attempt_at",
        "alert_outbox",
        ["status", "next_attempt_at"],
    )


def downgrade() -> None:
    op.drop_table("alert_outbox")
    op.drop_table("incidents")
