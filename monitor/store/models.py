"""The tables of the store, as SQLAlchemy 2 typed ORM classes.

A **model** (``models``) owns **baselines** (one per model version: its reference
profile and pre-deployment metrics) and **runs** (one per pipeline run, keyed by the
pipeline's own run id, ``run_key``). A run owns its **check results**
(``check_results``, which repeat ``model_id`` so that a check's history is one indexed
query). A profile is stored one row per column in ``column_profiles``, owned by
exactly one run or one baseline; the profile's ``row_count`` is the owner's.

Datetimes go through :class:`UTCDateTime`: stored as UTC (naive in SQLite, which has
no time zones), always read back tz-aware UTC. JSON columns are ``JSONB`` on
PostgreSQL. Constraint names follow :data:`NAMING_CONVENTION`, which the Alembic
migrations in ``migrations/versions`` spell out; these classes and the migrations
must describe the same schema (a test compares them).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "NAMING_CONVENTION",
    "Base",
    "BaselineRow",
    "CheckResultRow",
    "ColumnProfileRow",
    "ModelRow",
    "RunRow",
    "UTCDateTime",
]

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JSONType = sa.JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A tz-aware datetime stored as UTC; a naive value is taken to be UTC already."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(
        self, value: datetime | None, dialect: Dialect
    ) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        value = value.astimezone(timezone.utc)
        # SQLite keeps text: a fixed naive UTC form sorts and compares correctly.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(
        self, value: datetime | None, dialect: Dialect
    ) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSONType,
    }


class ModelRow(Base):
    __tablename__ = "models"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    created_at: Mapped[datetime]


class BaselineRow(Base):
    __tablename__ = "baselines"
    __table_args__ = (sa.UniqueConstraint("model_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(
        sa.ForeignKey("models.id", ondelete="CASCADE")
    )
    version: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime]
    row_count: Mapped[int] = mapped_column(sa.BigInteger)
    metrics: Mapped[dict[str, Any]]
    details: Mapped[dict[str, Any]]


class RunRow(Base):
    __tablename__ = "runs"
    __table_args__ = (
        sa.UniqueConstraint("model_id", "run_key"),
        sa.Index(None, "model_id", "finished_at"),
        sa.Index(None, "finished_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(
        sa.ForeignKey("models.id", ondelete="CASCADE")
    )
    run_key: Mapped[str] = mapped_column(sa.String(200))
    model_version: Mapped[str | None] = mapped_column(sa.String(200))
    status: Mapped[str] = mapped_column(sa.String(16))
    row_count: Mapped[int] = mapped_column(sa.BigInteger)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(sa.String(32))
    reference: Mapped[str | None] = mapped_column(sa.String(200))
    counts: Mapped[dict[str, Any]]
    details: Mapped[dict[str, Any]]


class CheckResultRow(Base):
    __tablename__ = "check_results"
    __table_args__ = (
        sa.Index(None, "run_id"),
        sa.Index(None, "model_id", "check_id", "subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("runs.id", ondelete="CASCADE"))
    model_id: Mapped[int] = mapped_column(
        sa.ForeignKey("models.id", ondelete="CASCADE")
    )
    check_id: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(64))
    subject: Mapped[str | None] = mapped_column(sa.String(500))
    status: Mapped[str] = mapped_column(sa.String(16))
    severity: Mapped[str] = mapped_column(sa.String(16))
    value: Mapped[float | None] = mapped_column(sa.Float)
    threshold: Mapped[dict[str, Any]]
    metrics: Mapped[dict[str, Any]]
    details: Mapped[dict[str, Any]]
    failures: Mapped[list[Any]] = mapped_column(JSONType)
    message: Mapped[str] = mapped_column(sa.Text)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]


class ColumnProfileRow(Base):
    __tablename__ = "column_profiles"
    __table_args__ = (
        sa.CheckConstraint(
            "(run_id IS NULL) <> (baseline_id IS NULL)", name="one_owner"
        ),
        sa.Index(None, "run_id"),
        sa.Index(None, "baseline_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("runs.id", ondelete="CASCADE")
    )
    baseline_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("baselines.id", ondelete="CASCADE")
    )
    column_name: Mapped[str] = mapped_column(sa.String(500))
    profile: Mapped[dict[str, Any]]
