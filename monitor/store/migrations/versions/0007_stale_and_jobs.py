"""Why an incident was closed as stale; each scheduled job's last run; the leader.

``incidents.closed_because`` says why an incident was closed as ``stale`` (its check
left the rules, or no run found it for ``incidents.stale_after``). ``job_status``
keeps, per scheduler job id, its last success and failure; ``scheduler_leader``
the process that leads the scheduler and its latest heartbeat.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("closed_because", sa.Text(), nullable=True))
    op.create_table(
        "job_status",
        sa.Column("job_id", sa.String(300), nullable=False),
        sa.Column("last_success_at", _when(), nullable=True),
        sa.Column("last_failure_at", _when(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("holder", sa.String(300), nullable=True),
        sa.PrimaryKeyConstraint("job_id", name="pk_job_status"),
    )
    op.create_table(
        "scheduler_leader",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("holder", sa.String(300), nullable=False),
        sa.Column("since", _when(), nullable=False),
        sa.Column("heartbeat_at", _when(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_scheduler_leader"),
    )


def downgrade() -> None:
    op.drop_table("scheduler_leader")
    op.drop_table("job_status")
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("closed_because")
