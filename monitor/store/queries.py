"""The store's reads, as the :class:`Reads` half of :class:`~modelhealth.store.Store`.

Runs are ordered by ``finished_at`` (newest first, ties by insertion), and a check's
history by the finished time of its runs. Filtering, ordering, limits and the
per-model summary (a window function over runs) happen in SQL; listings load no
results or profiles, which callers fetch for one run at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from modelhealth.checks.base import Status
from modelhealth.store import convert
from modelhealth.store.models import (
    BaselineRow,
    CheckResultRow,
    ColumnProfileRow,
    ModelRow,
    RunRow,
)
from modelhealth.store.records import (
    BaselineRecord,
    HistoryPoint,
    ModelSummary,
    ResultRecord,
    RunRecord,
)

__all__ = ["Reads"]

_NEWEST = (RunRow.finished_at.desc(), RunRow.id.desc())


def _model_id(name: str) -> sa.ScalarSelect[int]:
    return sa.select(ModelRow.id).where(ModelRow.name == name).scalar_subquery()


def _columns(session: Session, owner: Any, pk: int) -> Iterator[tuple[str, Any]]:
    rows = session.execute(
        sa.select(ColumnProfileRow.column_name, ColumnProfileRow.profile)
        .where(owner == pk)
        .order_by(ColumnProfileRow.id)
    )
    return ((name, profile) for name, profile in rows)


class Reads:
    """Every read of the store; :class:`~modelhealth.store.Store` supplies the
    session."""

    def _session(self, action: str) -> AbstractContextManager[Session]:
        raise NotImplementedError

    def baseline(self, model: str, version: str | None = None) -> BaselineRecord | None:
        """A model's baseline, profile included.

        Args:
            model: the model's name.
            version: a model version; ``None`` or ``"latest"`` for the newest.

        Returns:
            The baseline, or ``None`` when there is none.
        """
        query = sa.select(BaselineRow).where(BaselineRow.model_id == _model_id(model))
        if version in (None, "latest"):
            query = query.order_by(BaselineRow.created_at.desc(), BaselineRow.id.desc())
        else:
            query = query.where(BaselineRow.version == version)
        with self._session(f"could not read baselines of model {model!r}") as session:
            row = session.scalars(query.limit(1)).first()
            if row is None:
                return None
            profile = convert.profile_from_rows(
                row.row_count, _columns(session, ColumnProfileRow.baseline_id, row.id)
            )
            return convert.baseline_record(row, model, profile)

    def baselines(self, model: str) -> list[BaselineRecord]:
        """A model's baselines, newest first, without profiles (``profile == {}``)."""
        query = (
            sa.select(BaselineRow)
            .where(BaselineRow.model_id == _model_id(model))
            .order_by(BaselineRow.created_at.desc(), BaselineRow.id.desc())
        )
        with self._session(f"could not read baselines of model {model!r}") as session:
            return [
                convert.baseline_record(r, model, {}) for r in session.scalars(query)
            ]

    def _one_run(self, session: Session, where: Any) -> RunRecord | None:
        found = session.execute(
            sa.select(RunRow, ModelRow.name).join(ModelRow).where(where)
        ).first()
        if found is None:
            return None
        row, model = found
        results = session.scalars(
            sa.select(CheckResultRow)
            .where(CheckResultRow.run_id == row.id)
            .order_by(CheckResultRow.id)
        )
        return convert.run_record(row, model, results)

    def run(self, model: str, run_id: str) -> RunRecord | None:
        """A run with its results, by the pipeline's run id; ``None`` if unknown."""
        with self._session(
            f"could not read run {run_id!r} of model {model!r}"
        ) as session:
            return self._one_run(
                session, (ModelRow.name == model) & (RunRow.run_key == run_id)
            )

    def latest_run(
        self,
        model: str,
        *,
        prefix: str | None = None,
        without_prefix: str | None = None,
    ) -> RunRecord | None:
        """The model's newest run (with results) whose id starts with ``prefix``, or
        does not start with ``without_prefix``; ``None`` if there is none.

        Used for the newest freshness verdict (``freshness@...``) however many
        ordinary runs came after it, and for the newest ordinary run.
        """
        where = ModelRow.name == model
        if prefix is not None:
            where &= RunRow.run_key.startswith(prefix, autoescape=True)
        if without_prefix is not None:
            where &= ~RunRow.run_key.startswith(without_prefix, autoescape=True)
        with self._session(f"could not read the latest run of model {model!r}") as s:
            key = s.execute(
                sa.select(RunRow.run_key)
                .join(ModelRow)
                .where(where)
                .order_by(*_NEWEST)
                .limit(1)
            ).scalar()
            if key is None:
                return None
            return self._one_run(s, (ModelRow.name == model) & (RunRow.run_key == key))

    def run_by_pk(self, pk: int) -> RunRecord | None:
        """A run with its results, by the store's key; ``None`` if unknown."""
        with self._session(f"could not read run #{pk}") as session:
            return self._one_run(session, RunRow.id == pk)

    def runs(
        self,
        model: str | None = None,
        *,
        limit: int = 50,
        offset: int = 0,
        since: datetime | None = None,
        until: datetime | None = None,
        status: str | None = None,
    ) -> list[RunRecord]:
        """Runs, newest first by ``finished_at``, without their results.

        Args:
            model: only this model's runs; all models by default.
            limit: at most this many.
            offset: skip this many first (for paging).
            since: only runs finished at or after this time.
            until: only runs finished before this time.
            status: only runs whose overall status is this.

        Raises:
            ValueError: ``status`` is not a status, or ``limit``/``offset`` < 0.
        """
        known = [s.value for s in Status]
        if status is not None and status not in known:
            raise ValueError(f"unknown status {status!r}; known: {', '.join(known)}")
        if limit < 0 or offset < 0:
            raise ValueError("limit and offset must not be negative")
        query = sa.select(RunRow, ModelRow.name).join(ModelRow)
        if model is not None:
            query = query.where(ModelRow.name == model)
        if since is not None:
            query = query.where(RunRow.finished_at >= since)
        if until is not None:
            query = query.where(RunRow.finished_at < until)
        if status is not None:
            query = query.where(RunRow.status == status)
        query = query.order_by(*_NEWEST).limit(limit).offset(offset)
        with self._session("could not list runs") as session:
            return [
                convert.run_record(row, name) for row, name in session.execute(query)
            ]

    def results(self, run_pk: int) -> list[ResultRecord]:
        """A run's results in check order (empty for an unknown run)."""
        query = (
            sa.select(CheckResultRow)
            .where(CheckResultRow.run_id == run_pk)
            .order_by(CheckResultRow.id)
        )
        with self._session(f"could not read results of run #{run_pk}") as session:
            return [convert.result_record(r) for r in session.scalars(query)]

    def run_profile(self, run_pk: int) -> dict[str, Any]:
        """A run's profile as saved (``{"row_count", "columns"}``), ``{}`` if none."""
        with self._session(f"could not read the profile of run #{run_pk}") as session:
            row_count = session.scalar(
                sa.select(RunRow.row_count).where(RunRow.id == run_pk)
            )
            if row_count is None:
                return {}
            return convert.profile_from_rows(
                row_count, _columns(session, ColumnProfileRow.run_id, run_pk)
            )

    def recent_profiles(
        self,
        model: str,
        last_runs: int,
        *,
        exclude_run_id: str | None = None,
        before: datetime | None = None,
    ) -> list[tuple[str, dict[str, Any]]]:
        """The profiles of a model's latest runs, for a window reference.

        Args:
            model: the model's name.
            last_runs: how many runs, at most.
            exclude_run_id: leave this run out (the one being checked).
            before: only runs whose run time is earlier (a backfilled or re-checked
                run is compared with the runs before it, not with later ones).

        Returns:
            ``(run_id, profile)`` pairs, newest first. Runs without a stored profile
            (results the scheduler records itself, such as freshness) are skipped.
        """
        profiled = sa.exists().where(ColumnProfileRow.run_id == RunRow.id)
        query = sa.select(RunRow.id, RunRow.run_key, RunRow.row_count).where(
            RunRow.model_id == _model_id(model), profiled
        )
        if exclude_run_id is not None:
            query = query.where(RunRow.run_key != exclude_run_id)
        if before is not None:
            query = query.where(RunRow.started_at < before)
        query = query.order_by(*_NEWEST).limit(max(last_runs, 0))
        with self._session(
            f"could not read recent profiles of model {model!r}"
        ) as session:
            runs = session.execute(query).all()
            columns: dict[int, dict[str, Any]] = {pk: {} for pk, _, _ in runs}
            rows = session.execute(
                sa.select(
                    ColumnProfileRow.run_id,
                    ColumnProfileRow.column_name,
                    ColumnProfileRow.profile,
                )
                .where(ColumnProfileRow.run_id.in_(list(columns)))
                .order_by(ColumnProfileRow.id)
            )
            for pk, name, profile in rows:
                columns[pk][name] = profile
        return [
            (key, {"row_count": count, "columns": columns[pk]})
            for pk, key, count in runs
        ]

    def history(
        self,
        model: str,
        check_id: str,
        *,
        subject: str | None = None,
        since: datetime | None = None,
        limit: int = 1000,
    ) -> list[HistoryPoint]:
        """One check's outcomes over a model's runs, for charts.

        Args:
            model: the model's name.
            check_id: the rule's check id.
            subject: only this column or segment; every subject by default.
            since: only runs finished at or after this time.
            limit: the newest this many points.

        Returns:
            Points oldest first, one per run and subject.
        """
        query = (
            sa.select(
                RunRow.run_key,
                RunRow.finished_at,
                CheckResultRow.subject,
                CheckResultRow.status,
                CheckResultRow.value,
            )
            .join(RunRow, CheckResultRow.run_id == RunRow.id)
            .where(
                CheckResultRow.model_id == _model_id(model),
                CheckResultRow.check_id == check_id,
            )
        )
        if subject is not None:
            query = query.where(CheckResultRow.subject == subject)
        if since is not None:
            query = query.where(RunRow.finished_at >= since)
        query = query.order_by(*_NEWEST, CheckResultRow.id.desc()).limit(max(limit, 0))
        with self._session(
            f"could not read the history of check {check_id!r}"
        ) as session:
            points = [HistoryPoint(*row) for row in session.execute(query)]
        return points[::-1]

    def check_values(
        self,
        model: str,
        check_id: str,
        *,
        last_runs: int,
        before: datetime,
        exclude_run_id: str | None = None,
    ) -> dict[str | None, list[tuple[datetime, float]]]:
        """One check's graded values over the model's last runs, for history levels.

        Args:
            model: the model's name.
            check_id: the rule's check id.
            last_runs: the newest this many runs that hold a result of the check.
            before: only runs whose run time is earlier (a backfilled run is graded
                on the history it had).
            exclude_run_id: leave this run out (the one being checked).

        Returns:
            ``{subject: [(run time, value), ...]}``, newest first; errored results
            and results without a value are left out (a result skipped for want of
            history holds its value, and counts).
        """
        held = aliased(CheckResultRow)
        has_check = (
            sa.exists()
            .where(held.run_id == RunRow.id, held.check_id == check_id)
            .correlate(RunRow)
        )
        runs = sa.select(RunRow.id).where(
            RunRow.model_id == _model_id(model), RunRow.started_at < before, has_check
        )
        if exclude_run_id is not None:
            runs = runs.where(RunRow.run_key != exclude_run_id)
        # correlate(None): the runs here are their own, not the outer query's
        runs = runs.order_by(RunRow.started_at.desc(), RunRow.id.desc()).correlate(None)
        query = (
            sa.select(RunRow.started_at, CheckResultRow.subject, CheckResultRow.value)
            .join(RunRow, CheckResultRow.run_id == RunRow.id)
            .where(
                CheckResultRow.run_id.in_(runs.limit(max(last_runs, 0))),
                CheckResultRow.check_id == check_id,
                CheckResultRow.status != Status.ERRORED.value,
                CheckResultRow.value.is_not(None),
            )
            .order_by(RunRow.started_at.desc(), RunRow.id.desc())
        )
        found: dict[str | None, list[tuple[datetime, float]]] = {}
        with self._session(
            f"could not read the stored values of check {check_id!r}"
        ) as session:
            for at, subject, value in session.execute(query):
                if value is not None:  # left out in SQL; for the type checker
                    found.setdefault(subject, []).append((at, float(value)))
        return found

    def models(self) -> list[ModelSummary]:
        """Every model with its run count and latest run, by name."""
        ranked = sa.select(
            RunRow.model_id,
            RunRow.run_key,
            RunRow.status,
            RunRow.finished_at,
            sa.func.row_number()
            .over(partition_by=RunRow.model_id, order_by=_NEWEST)
            .label("rank"),
            sa.func.count().over(partition_by=RunRow.model_id).label("runs"),
        ).subquery()
        query = (
            sa.select(
                ModelRow.name,
                ranked.c.runs,
                ranked.c.finished_at,
                ranked.c.status,
                ranked.c.run_key,
            )
            .outerjoin(
                ranked, (ranked.c.model_id == ModelRow.id) & (ranked.c.rank == 1)
            )
            .order_by(ModelRow.name)
        )
        with self._session("could not list models") as session:
            return [
                ModelSummary(name, runs or 0, last_at, last_status, last_id)
                for name, runs, last_at, last_status, last_id in session.execute(query)
            ]
