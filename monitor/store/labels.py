"""Stored predictions, late labels and deployment-gate verdicts (migration 0003).

**Predictions kept for late labels** (``run_predictions``, one row per run). When a
run arrives with predictions but without labels and its rules name ``label.key``,
the runner keeps the key and prediction columns (and any ``segment_by`` columns of
the metric checks) so that labels arriving days later can be joined to them. They
are kept as one zstd-compressed Parquet blob per run, not as rows: a million
predictions is a few megabytes written in well under a second, and a run's
predictions are only ever read whole. Deleting the run deletes them.

When labels arrive, :func:`modelhealth.run.labels.attach_labels` saves the run again
with
its re-evaluated metric results, and :meth:`LabelsMixin.mark_labeled` records when
and how many predictions got a label.

**Gate verdicts** (``gate_verdicts``) are kept apart from runs: a candidate's
evaluation on holdout data is not a production run, and must not appear in the
model's run history or move its health status.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from modelhealth.checks.base import CheckResult
from modelhealth.store import convert
from modelhealth.store.models import Base, JSONType, ModelRow, RunRow

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "GateRecord",
    "GateVerdictRow",
    "LabelsMixin",
    "PredictionsRecord",
    "RunPredictionsRow",
]


class RunPredictionsRow(Base):
    __tablename__ = "run_predictions"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        sa.ForeignKey("runs.id", ondelete="CASCADE"), unique=True
    )
    created_at: Mapped[datetime]
    row_count: Mapped[int] = mapped_column(sa.BigInteger)
    key_column: Mapped[str] = mapped_column(sa.String(500))
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
    labeled_at: Mapped[datetime | None]
    labeled_rows: Mapped[int | None] = mapped_column(sa.BigInteger)


class GateVerdictRow(Base):
    __tablename__ = "gate_verdicts"
    __table_args__ = (sa.Index(None, "model_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(
        sa.ForeignKey("models.id", ondelete="CASCADE")
    )
    candidate_version: Mapped[str] = mapped_column(sa.String(200))
    baseline_version: Mapped[str | None] = mapped_column(sa.String(200))
    passed: Mapped[bool]
    created_at: Mapped[datetime]
    row_count: Mapped[int] = mapped_column(sa.BigInteger)
    metrics: Mapped[dict[str, Any]]
    results: Mapped[list[Any]] = mapped_column(JSONType)
    details: Mapped[dict[str, Any]]


@dataclass(frozen=True)
class PredictionsRecord:
    """A run's kept predictions.

    Attributes:
        frame: the key column and the prediction columns, one row per prediction.
        key_column: the column labels are joined on.
        labeled_at: when labels were last attached, if ever.
        labeled_rows: how many predictions got a label then.
    """

    model: str
    run_id: str
    key_column: str
    frame: pd.DataFrame
    created_at: datetime
    labeled_at: datetime | None
    labeled_rows: int | None


@dataclass(frozen=True)
class GateRecord:
    """One stored deployment-gate verdict (see
    :class:`modelhealth.run.gate.GateVerdict`)."""

    pk: int
    model: str
    candidate_version: str
    baseline_version: str | None
    passed: bool
    created_at: datetime
    row_count: int
    metrics: dict[str, float | None]
    results: list[dict[str, Any]]
    details: dict[str, Any]


def _to_parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.reset_index(drop=True).to_parquet(buffer, index=False, compression="zstd")
    return buffer.getvalue()


def _from_parquet(data: bytes) -> pd.DataFrame:
    import pandas as pd

    return pd.read_parquet(io.BytesIO(data))


def _run_pk(model: str, run_id: str) -> sa.Select[Any]:
    return (
        sa.select(RunRow.id)
        .join(ModelRow)
        .where(ModelRow.name == model, RunRow.run_key == run_id)
    )


class LabelsMixin:
    """Reads and writes of predictions kept for late labels, and gate verdicts."""

    def _session(self, action: str) -> AbstractContextManager[Session]:
        raise NotImplementedError

    def _model_id(self, session: Session, name: str) -> int:
        raise NotImplementedError

    def save_predictions(
        self, model: str, run_id: str, frame: pd.DataFrame, *, key: str
    ) -> None:
        """Keep a run's predictions (replacing any kept before) for late labels.

        Args:
            model: the model's name.
            run_id: the stored run they belong to.
            frame: the key column and prediction columns.
            key: the key column's name.

        Raises:
            StorageError: the run is not stored, or the write failed.
        """
        action = f"could not keep the predictions of run {run_id!r} of model {model!r}"
        with self._session(action) as session:
            pk = session.scalar(_run_pk(model, run_id))
            if pk is None:
                raise sa.exc.NoResultFound(f"run {run_id!r} is not stored")
            self.write_predictions(session, pk, frame, key=key)

    def write_predictions(
        self, session: Session, run_pk: int, frame: pd.DataFrame, *, key: str
    ) -> None:
        """Replace the kept predictions of the run ``run_pk`` inside ``session``
        (:meth:`Store.save_run` calls it in the run's own transaction)."""
        session.execute(
            sa.delete(RunPredictionsRow).where(RunPredictionsRow.run_id == run_pk)
        )
        session.add(
            RunPredictionsRow(
                run_id=run_pk,
                created_at=datetime.now(timezone.utc),
                row_count=len(frame),
                key_column=key,
                data=_to_parquet(frame),
            )
        )

    def predictions(self, model: str, run_id: str) -> PredictionsRecord | None:
        """A run's kept predictions, or ``None`` when none were kept."""
        action = f"could not read the predictions of run {run_id!r} of model {model!r}"
        with self._session(action) as session:
            row = session.scalars(
                sa.select(RunPredictionsRow).where(
                    RunPredictionsRow.run_id == _run_pk(model, run_id).scalar_subquery()
                )
            ).first()
            if row is None:
                return None
            return PredictionsRecord(
                model=model,
                run_id=run_id,
                key_column=row.key_column,
                frame=_from_parquet(row.data),
                created_at=row.created_at,
                labeled_at=row.labeled_at,
                labeled_rows=row.labeled_rows,
            )

    def mark_labeled(self, model: str, run_id: str, rows: int) -> None:
        """Record that ``rows`` of a run's kept predictions got labels, now.

        Raises:
            StorageError: the write failed.
        """
        action = f"could not mark run {run_id!r} of model {model!r} as labelled"
        with self._session(action) as session:
            session.execute(
                sa.update(RunPredictionsRow)
                .where(
                    RunPredictionsRow.run_id == _run_pk(model, run_id).scalar_subquery()
                )
                .values(labeled_at=datetime.now(timezone.utc), labeled_rows=rows)
            )

    def save_gate_verdict(
        self,
        model: str,
        *,
        candidate_version: str,
        baseline_version: str | None,
        passed: bool,
        row_count: int,
        metrics: dict[str, float],
        results: Sequence[CheckResult],
        details: dict[str, Any] | None = None,
        created_at: datetime | None = None,
    ) -> int:
        """Store a deployment-gate verdict; returns its ``pk``.

        Raises:
            StorageError: the write failed.
        """
        action = f"could not save the gate verdict of {model!r} {candidate_version!r}"
        with self._session(action) as session:
            row = GateVerdictRow(
                model_id=self._model_id(session, model),
                candidate_version=candidate_version,
                baseline_version=baseline_version,
                passed=passed,
                created_at=created_at or datetime.now(timezone.utc),
                row_count=row_count,
                metrics=convert.json_safe(metrics),
                results=[convert.json_safe(r.to_dict()) for r in results],
                details=convert.json_safe(details or {}),
            )
            session.add(row)
            session.flush()
            return row.id

    def gate_verdicts(self, model: str, *, limit: int = 50) -> list[GateRecord]:
        """A model's gate verdicts, newest first."""
        query = (
            sa.select(GateVerdictRow)
            .join(ModelRow)
            .where(ModelRow.name == model)
            .order_by(GateVerdictRow.created_at.desc(), GateVerdictRow.id.desc())
            .limit(max(limit, 0))
        )
        with self._session(f"could not read gate verdicts of {model!r}") as session:
            return [
                GateRecord(
                    pk=r.id,
                    model=model,
                    candidate_version=r.candidate_version,
                    baseline_version=r.baseline_version,
                    passed=r.passed,
                    created_at=r.created_at,
                    row_count=r.row_count,
                    metrics=dict(r.metrics),
                    results=list(r.results),
                    details=dict(r.details),
                )
                for r in session.scalars(query)
            ]
