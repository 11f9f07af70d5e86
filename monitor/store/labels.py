"""Stored predictions and late labels (migration 0003).

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

Deployment-gate verdicts, added in the same migration, live in
:mod:`modelhealth.store.gates`.
"""

from __future__ import annotations

import io
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from modelhealth.store.models import Base, ModelRow, RunRow

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
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
    """Reads and writes of predictions kept for late labels."""

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
