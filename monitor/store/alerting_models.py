"""The tables of incidents and of the alert outbox (migration 0002).

``incidents``: one row per incident (model, check id, subject), open until a passing
run resolves it; ``routes`` (JSON) remembers, per route key, the outbox id of the
message that told that route and when it was last told. ``alert_outbox``: one row per
message, with its idempotency ``key``, the route's settings (variable names, never
secrets), the alert as JSON, the message it replies to, and its delivery state.
See :mod:`modelhealth.store.alerting` and :mod:`modelhealth.store.outbox`.
Migration 0004 adds who acknowledged an incident, when and until when, the silence
that holds its messages back, and ``silences`` (see :mod:`modelhealth.store.oncall`).
Migration 0007 adds why an incident was closed as ``stale``
(:mod:`modelhealth.store.stale`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from modelhealth.store.models import Base, JSONType

__all__ = ["IncidentRow", "OutboxRow", "SilenceRow"]


class IncidentRow(Base):
    __tablename__ = "incidents"
    __table_args__ = (
        sa.Index(None, "model_id", "check_id", "subject"),
        sa.Index(None, "status", "opened_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(
        sa.ForeignKey("models.id", ondelete="CASCADE")
    )
    check_id: Mapped[str] = mapped_column(sa.String(200))
    subject: Mapped[str | None] = mapped_column(sa.String(500))
    severity: Mapped[str] = mapped_column(sa.String(16))
    status: Mapped[str] = mapped_column(sa.String(16))
    opened_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime]
    first_run_id: Mapped[str] = mapped_column(sa.String(200))
    last_run_id: Mapped[str] = mapped_column(sa.String(200))
    runs_count: Mapped[int]
    notifications: Mapped[int]
    routes: Mapped[dict[str, Any]]
    acked_by: Mapped[str | None] = mapped_column(sa.String(200))
    acked_at: Mapped[datetime | None]
    acked_until: Mapped[datetime | None]
    silence_id: Mapped[int | None]
    maintenance: Mapped[str | None] = mapped_column(sa.String(200))
    closed_because: Mapped[str | None] = mapped_column(sa.Text)


class SilenceRow(Base):
    __tablename__ = "silences"
    __table_args__ = (sa.Index(None, "model", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    model: Mapped[str] = mapped_column(sa.String(200))
    check_id: Mapped[str | None] = mapped_column(sa.String(200))
    subject: Mapped[str | None] = mapped_column(sa.String(500))
    severities: Mapped[list[str]] = mapped_column(JSONType)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(sa.Text)
    created_by: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime]


class OutboxRow(Base):
    __tablename__ = "alert_outbox"
    __table_args__ = (
        sa.UniqueConstraint("key"),
        sa.Index(None, "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(64))
    model_id: Mapped[int] = mapped_column(
        sa.ForeignKey("models.id", ondelete="CASCADE")
    )
    run_key: Mapped[str | None] = mapped_column(sa.String(200))
    channel: Mapped[str] = mapped_column(sa.String(64))
    route_key: Mapped[str] = mapped_column(sa.String(64))
    route: Mapped[dict[str, Any]]
    kind: Mapped[str] = mapped_column(sa.String(16))
    alert: Mapped[dict[str, Any]]
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("alert_outbox.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(sa.String(16))
    attempts: Mapped[int]
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(sa.String(300))
    delivered_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    response: Mapped[dict[str, Any]]
