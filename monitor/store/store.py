"""The :class:`Store`: every read and write of runs, results, profiles and baselines.

It is the only code that opens database sessions. Each public method is one short
transaction; a run is saved whole or not at all. Writes are upserts keyed by what the
user names things: a model by its name, a run by ``(model, run_id)``, a baseline by
``(model, version)``; saving the same key again replaces the old content. Whatever
goes wrong in the database comes out as :class:`~modelhealth.errors.StorageError`, whose
message says what was being done and why it failed, with the password masked.

Only SQLite (the embedded default) and PostgreSQL (production) are supported: upserts
use their shared ``INSERT ... ON CONFLICT`` dialect.

Concurrent saves of one model never deadlock: :meth:`Store.save_run` takes the model
row's lock before it writes anything else, so every writer of a model queues on the
same row in the same order. A transaction PostgreSQL aborts anyway (a deadlock with
another kind of writer, SQLSTATE 40P01; a serialization failure, 40001) or that
SQLite finds locked is run again whole, with jittered backoff
(:mod:`modelhealth.store.retry`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from modelhealth.alerts.incidents import AlertPolicy
from modelhealth.errors import StorageError
from modelhealth.report import RunReport
from modelhealth.store import convert, queries
from modelhealth.store.alerting import AlertingMixin
from modelhealth.store.gates import GatesMixin
from modelhealth.store.jobstatus import JobStatusMixin
from modelhealth.store.labels import LabelsMixin
from modelhealth.store.migrate import is_current
from modelhealth.store.migrate import upgrade as apply_migrations
from modelhealth.store.models import (
    BaselineRow,
    CheckResultRow,
    ColumnProfileRow,
    ModelRow,
    RunRow,
)
from modelhealth.store.records import BaselineRecord
from modelhealth.store.release import ReleaseMixin
from modelhealth.store.retry import retrying
from modelhealth.store.urls import create_engine, mask, reason, resolve
from modelhealth.store.webqueries import WebReads

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Store"]

_T = TypeVar("_T")


class Store(
    queries.Reads,
    AlertingMixin,
    ReleaseMixin,
    LabelsMixin,
    GatesMixin,
    WebReads,
    JobStatusMixin,
):
    """A connection to the store's database, migrated to the code's schema.

    Args:
        url: a SQLAlchemy URL or a bare SQLite file path; ``None`` reads
            ``MODELHEALTH_DB``, else uses ``./modelhealth.db``.
        migrate: apply missing migrations now (``False`` only connects).

    Raises:
        StorageError: the database cannot be reached or migrated.
    """

    def __init__(self, url: str | None = None, *, migrate: bool = True) -> None:
        self._raw_url = resolve(url)
        self._url = mask(self._raw_url)
        self._engine = create_engine(self._raw_url)
        self._sessions = sessionmaker(self._engine, expire_on_commit=False)
        try:
            self._guard("could not connect", lambda e: e.connect().close())
            if migrate and not self._guard("could not read the schema", is_current):
                self.upgrade()
        except StorageError:
            self._engine.dispose()
            raise

    @property
    def url(self) -> str:
        """The database URL, password masked."""
        return self._url

    def __repr__(self) -> str:
        return f"Store({self._url!r})"

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close every pooled connection."""
        self._engine.dispose()

    def upgrade(self) -> str:
        """Apply the migrations the database lacks (``modelhealth db upgrade``).

        Returns:
            The head revision, which the database is now at.

        Raises:
            StorageError: a migration failed, or the database is newer than the code.
        """
        return self._guard("could not migrate the schema", apply_migrations)

    def _guard(self, action: str, call: Callable[[Engine], _T]) -> _T:
        try:
            return call(self._engine)
        except SQLAlchemyError as exc:
            raise StorageError(
                self._url, f"{action}: {reason(exc, self._raw_url)}"
            ) from exc
        except Exception as exc:
            # Alembic's CommandError (e.g. a revision this code does not know);
            # Alembic is imported only to migrate, so it is looked up, not imported
            alembic_errors = sys.modules.get("alembic.util.exc")
            if alembic_errors is None or not isinstance(
                exc, alembic_errors.CommandError
            ):
                raise
            hint = "is the database newer than this modelhealth?"
            raise StorageError(self._url, f"{action}: {exc} ({hint})") from exc

    @contextmanager
    def _session(self, action: str) -> Iterator[Session]:
        """One transaction: committed at the end, rolled back on any error."""
        try:
            with self._sessions.begin() as session:
                yield session
        except SQLAlchemyError as exc:
            raise StorageError(
                self._url, f"{action}: {reason(exc, self._raw_url)}"
            ) from exc

    def _insert_into(self, row: type[Any]) -> postgresql.Insert | sqlite.Insert:
        if self._engine.dialect.name == "postgresql":
            return postgresql.insert(row)
        return sqlite.insert(row)

    def _model_id(self, session: Session, name: str) -> int:
        found = session.scalar(sa.select(ModelRow.id).where(ModelRow.name == name))
        if found is not None:
            return found
        session.execute(
            self._insert_into(ModelRow)
            .values(name=name, created_at=datetime.now(timezone.utc))
            .on_conflict_do_nothing(index_elements=["name"])
        )
        return session.scalars(
            sa.select(ModelRow.id).where(ModelRow.name == name)
        ).one()

    def _upsert(
        self, session: Session, row: type[Any], keys: list[str], values: dict[str, Any]
    ) -> int:
        stmt = self._insert_into(row).values(**values)
        changes = {k: stmt.excluded[k] for k in values if k not in keys}
        stmt = stmt.on_conflict_do_update(index_elements=keys, set_=changes)
        return int(session.execute(stmt.returning(row.id)).scalar_one())

    def save_run(
        self,
        report: RunReport,
        *,
        alerts: AlertPolicy | None = None,
        predictions: tuple[pd.DataFrame, str] | None = None,
        only_newer: bool = False,
    ) -> int:
        """Save a checked run: the run, its results and its profile, in one transaction.

        Saving the same ``(model, run_id)`` again replaces the run's fields, results
        and profile; the run keeps its ``pk``. With ``alerts``, the same transaction
        updates the model's incidents and queues the messages they call for in the
        outbox (see :mod:`modelhealth.store.alerting`): results and alerts are kept
        together or not at all.

        Args:
            report: the runner's report.
            alerts: the routes and report link to alert with; ``None`` touches no
                incidents and queues nothing.
            predictions: a frame of predictions and its key column, kept for
                labels that arrive later (written in the same transaction).
            only_newer: write nothing when the store holds this run id checked
                at or after ``report.finished_at`` (replaying a spooled run: once,
                and never over a newer check).

        Returns:
            The run's ``pk``.

        Raises:
            StorageError: the write failed; nothing of it was kept.
        """
        action = f"could not save run {report.run_id!r} of model {report.model!r}"
        return self._transaction(
            action,
            lambda session: self._write_run(
                session, report, alerts, predictions, only_newer=only_newer
            ),
        )

    def _transaction(self, action: str, work: Callable[[Session], _T]) -> _T:
        """``work`` in one transaction, run again whole if the database aborts it
        for a deadlock, a serialization failure or a lock wait."""

        def once() -> _T:
            with self._sessions.begin() as session:
                return work(session)

        try:
            return retrying(once)
        except SQLAlchemyError as exc:
            raise StorageError(
                self._url, f"{action}: {reason(exc, self._raw_url)}"
            ) from exc

    def _lock_model(self, session: Session, name: str) -> int:
        """The model's id, its row locked for this transaction (PostgreSQL)."""
        model_id = self._model_id(session, name)
        session.execute(
            sa.select(ModelRow.id).where(ModelRow.id == model_id).with_for_update()
        )
        return model_id

    def _write_run(
        self,
        session: Session,
        report: RunReport,
        alerts: AlertPolicy | None,
        predictions: tuple[pd.DataFrame, str] | None,
        *,
        only_newer: bool,
    ) -> int:
        # the model row first: every writer of this model waits here, in one order
        model_id = self._lock_model(session, report.model)
        if only_newer:
            stored = session.execute(
                sa.select(RunRow.id, RunRow.finished_at).where(
                    RunRow.model_id == model_id, RunRow.run_key == report.run_id
                )
            ).first()
            if stored is not None and stored[1] >= report.finished_at:
                return int(stored[0])
        values = {
            "model_id": model_id,
            "run_key": report.run_id,
            "model_version": report.model_version,
            "status": report.status.value,
            "row_count": int(report.row_count),
            "started_at": report.started_at,
            "finished_at": report.finished_at,
            "source": report.source,
            "reference": report.reference,
            "counts": report.counts(),
            "details": convert.json_safe(report.details),
        }
        pk = self._upsert(session, RunRow, ["model_id", "run_key"], values)
        session.execute(sa.delete(CheckResultRow).where(CheckResultRow.run_id == pk))
        session.execute(
            sa.delete(ColumnProfileRow).where(ColumnProfileRow.run_id == pk)
        )
        results = [
            convert.result_values(r, run_id=pk, model_id=model_id)
            for r in report.results
        ]
        if results:
            session.execute(sa.insert(CheckResultRow), results)
        profiles = convert.profile_rows(report.profile, run_id=pk)
        if profiles:
            session.execute(sa.insert(ColumnProfileRow), profiles)
        if predictions is not None:
            self.write_predictions(session, pk, predictions[0], key=predictions[1])
        if alerts is not None:
            self.queue_run_alerts(
                session,
                model_id,
                model=report.model,
                run_id=report.run_id,
                results=report.results,
                finished_at=report.finished_at,
                model_version=report.model_version,
                policy=alerts,
            )
        return pk

    def save_baseline(
        self,
        model: str,
        version: str,
        *,
        profile: Mapping[str, Any],
        metrics: Mapping[str, float],
        row_count: int,
        details: Mapping[str, Any] | None = None,
        created_at: datetime | None = None,
    ) -> BaselineRecord:
        """Register a model version's reference, replacing one of the same version.

        Args:
            model: the model's name.
            version: the model version.
            profile: the reference data's profile (``{"row_count", "columns"}``).
            metrics: pre-deployment metrics; non-finite values are stored as ``None``.
            row_count: rows of the reference data.
            details: JSON-able extras (where the data came from, ...).
            created_at: when it was registered; now by default.

        Returns:
            The baseline as stored, profile included.

        Raises:
            StorageError: the write failed.
        """
        action = f"could not save baseline {version!r} of model {model!r}"
        with self._session(action) as session:
            values = {
                "model_id": self._model_id(session, model),
                "version": version,
                "created_at": created_at or datetime.now(timezone.utc),
                "row_count": int(row_count),
                "metrics": convert.json_safe(metrics),
                "details": convert.json_safe(details or {}),
            }
            pk = self._upsert(session, BaselineRow, ["model_id", "version"], values)
            session.execute(
                sa.delete(ColumnProfileRow).where(ColumnProfileRow.baseline_id == pk)
            )
            rows = convert.profile_rows(profile, baseline_id=pk)
            if rows:
                session.execute(sa.insert(ColumnProfileRow), rows)
        found = self.baseline(model, version)
        assert found is not None
        return found
