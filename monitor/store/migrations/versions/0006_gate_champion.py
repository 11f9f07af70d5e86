"""Gate verdicts that compare a candidate with a champion on the same rows.

Each verdict keeps which champion it was compared with and that champion's metrics
(the intervals are in its results), its decision (``passed``, ``failed`` or
``inconclusive``), the fingerprint of the holdout data, and the holdout's profile
(so that ``modelhealth baseline --from-gate`` can promote the candidate).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out rather than imported from modelhealth.store: see 0001.
JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("gate_verdicts") as batch:
        batch.add_column(sa.Column("champion", sa.String(500), nullable=True))
        batch.add_column(sa.Column("champion_metrics", JSON, nullable=True))
        batch.add_column(sa.Column("decision", sa.String(16), nullable=True))
        batch.add_column(sa.Column("fingerprint", sa.String(64), nullable=True))
        batch.add_column(sa.Column("profile", JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("gate_verdicts") as batch:
        batch.drop_column("profile")
        batch.drop_column("fingerprint")
        batch.drop_column("decision")
        batch.drop_column("champion_metrics")
        batch.drop_column("champion")
