"""Aggregated reads for the web report: the :class:`WebReads` half of the Store.

Each page of the report is a handful of these named queries, each one indexed and
bounded, so a page costs the same with a week or a year of history:

- the overview ranks every model's runs in SQL (a window function over
  ``runs(model_id, finished_at)``) and keeps only the last few per model;
- a model page counts and groups runs in SQL (per status, per model version) and
  loads check results only for the runs on the page (``check_results(run_id)``);
- a run page reads its profiles (and its baseline's), and finds the runs before
  and after it through ``runs(model_id, finished_at)``;
- an unhealthy model's failing checks are followed back over its last runs only
  (:meth:`WebReads.failing_streaks`), for "since when" on the overview.

Records returned are frozen dataclasses, as everywhere in :mod:`modelhealth.store`.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from modelhealth.store.models import (
    BaselineRow,
    CheckResultRow,
    ColumnProfileRow,
    ModelRow,
    RunRow,
)

__all__ = [
    "FailingCheck",
    "ModelHealth",
    "ResultPoint",
    "RunMark",
    "VersionSummary",
    "WebReads",
]

_BAD = ("warned", "errored", "failed")


@dataclass(frozen=True)
class RunMark:
    """A run reduced to what a history strip needs."""

    run_id: str
    finished_at: datetime
    status: str


@dataclass(frozen=True)
class ModelHealth:
    """A model on the overview: its run count, latest run and recent runs.

    Attributes:
        recent: the latest runs, oldest first (at most the ``recent`` asked for).
    """

    name: str
    runs: int
    last_run_id: str | None
    last_run_at: datetime | None
    last_status: str | None
    recent: tuple[RunMark, ...]


@dataclass(frozen=True)
class ResultPoint:
    """One check result of one run, for charts: its value, and of its JSON payloads
    only the realized value beside an estimate and a history threshold's band."""

    run_id: str
    finished_at: datetime
    check_id: str
    kind: str
    subject: str | None
    status: str
    value: float | None
    realized: float | None = None  # an estimated metric's, once labels arrived
    history_lower: float | None = None  # the band a history threshold resolved
    history_upper: float | None = None


@dataclass(frozen=True)
class VersionSummary:
    """How many runs a model version made, and when."""

    version: str | None
    runs: int
    first_at: datetime
    last_at: datetime


@dataclass(frozen=True)
class FailingCheck:
    """A check not passing in a model's latest run, and the streak it is in.

    Attributes:
        since: when the first run of the unbroken streak finished.
        runs: how many runs the streak spans, the latest included.
        at_least: the streak reaches past the runs looked at (it is longer).
    """

    check_id: str
    subject: str | None
    status: str
    severity: str
    since: datetime
    since_run_id: str
    runs: int
    at_least: bool


def _model_id(name: str) -> sa.ScalarSelect[int]:
    return sa.select(ModelRow.id).where(ModelRow.name == name).scalar_subquery()


def _run_filter(
    model: str,
    since: datetime | None,
    until: datetime | None,
    status: str | None = None,
) -> list[sa.ColumnElement[bool]]:
    """The WHERE clauses of a model's runs in ``[since, until)`` with a status."""
    where = [RunRow.model_id == _model_id(model)]
    if since is not None:
        where.append(RunRow.finished_at >= since)
    if until is not None:
        where.append(RunRow.finished_at < until)
    if status is not None:
        where.append(RunRow.status == status)
    return where


class WebReads:
    """Named, indexed, aggregated queries behind the report's pages."""

    def _session(self, action: str) -> AbstractContextManager[Session]:
        raise NotImplementedError

    def health_overview(self, recent: int = 30) -> list[ModelHealth]:
        """Every model, by name, with its run count and its ``recent`` last runs.

        Counts are one ``GROUP BY`` over the ``runs(model_id, ...)`` index; each
        model's latest runs are one short index range scan, so the cost grows with
        the number of models, not with the length of their histories.
        """
        counts = sa.select(RunRow.model_id, sa.func.count()).group_by(RunRow.model_id)
        with self._session("could not read the models' health") as session:
            models = session.execute(
                sa.select(ModelRow.id, ModelRow.name).order_by(ModelRow.name)
            ).all()
            runs = {pk: int(n) for pk, n in session.execute(counts)}
            found = []
            for pk, name in models:
                latest = session.execute(
                    sa.select(RunRow.run_key, RunRow.finished_at, RunRow.status)
                    .where(RunRow.model_id == pk)
                    .order_by(RunRow.finished_at.desc(), RunRow.id.desc())
                    .limit(max(recent, 1))
                ).all()
                marks = tuple(RunMark(*row) for row in reversed(latest))
                last = marks[-1] if marks else None
                found.append(
                    ModelHealth(
                        name=name,
                        runs=runs.get(pk, 0),
                        last_run_id=last.run_id if last else None,
                        last_run_at=last.finished_at if last else None,
                        last_status=last.status if last else None,
                        recent=marks,
                    )
                )
        return found

    def has_model(self, name: str) -> bool:
        """Whether the store knows a model of this name."""
        query = sa.select(ModelRow.id).where(ModelRow.name == name)
        with self._session(f"could not look up model {name!r}") as session:
            return session.scalar(query) is not None

    def count_runs(
        self,
        model: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        status: str | None = None,
    ) -> int:
        """How many of a model's runs match the filters (for paging)."""
        query = (
            sa.select(sa.func.count())
            .select_from(RunRow)
            .where(*_run_filter(model, since, until, status))
        )
        with self._session(f"could not count runs of model {model!r}") as session:
            return int(session.scalar(query) or 0)

    def run_status_counts(
        self,
        model: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> dict[str, int]:
        """How many of a model's runs ended in each status, grouped in SQL."""
        query = (
            sa.select(RunRow.status, sa.func.count())
            .where(*_run_filter(model, since, until))
            .group_by(RunRow.status)
        )
        with self._session(f"could not count runs of model {model!r}") as session:
            return {status: int(n) for status, n in session.execute(query)}

    def version_summary(self, model: str) -> list[VersionSummary]:
        """Each model version's run count, first and last run, newest first."""
        last = sa.func.max(RunRow.finished_at)
        query = (
            sa.select(
                RunRow.model_version,
                sa.func.count(),
                sa.func.min(RunRow.finished_at),
                last,
            )
            .where(RunRow.model_id == _model_id(model))
            .group_by(RunRow.model_version)
            .order_by(last.desc())
        )
        with self._session(f"could not read versions of model {model!r}") as session:
            rows = session.execute(query).all()
        return [
            VersionSummary(version, int(n), first, latest)
            for version, n, first, latest in rows
        ]

    def results_of_runs(self, run_pks: Sequence[int]) -> list[ResultPoint]:
        """The results of these runs (by pk), oldest run first, in check order."""
        if not run_pks:
            return []
        query = (
            sa.select(
                RunRow.run_key,
                RunRow.finished_at,
                CheckResultRow.check_id,
                CheckResultRow.kind,
                CheckResultRow.subject,
                CheckResultRow.status,
                CheckResultRow.value,
                CheckResultRow.metrics["realized"].as_float(),
                CheckResultRow.threshold["history_lower"].as_float(),
                CheckResultRow.threshold["history_upper"].as_float(),
            )
            .join(RunRow, CheckResultRow.run_id == RunRow.id)
            .where(CheckResultRow.run_id.in_(list(run_pks)))
            .order_by(RunRow.finished_at, RunRow.id, CheckResultRow.id)
        )
        with self._session("could not read the runs' results") as session:
            return [ResultPoint(*row) for row in session.execute(query)]

    def run_neighbours(self, model: str, run_id: str) -> tuple[str | None, str | None]:
        """The run ids just before and just after a run, by finished time."""
        me = (
            sa.select(RunRow.id, RunRow.finished_at)
            .where(RunRow.model_id == _model_id(model), RunRow.run_key == run_id)
            .subquery()
        )
        same = RunRow.model_id == _model_id(model)
        at, pk = RunRow.finished_at, RunRow.id
        before = (
            sa.select(RunRow.run_key)
            .where(same, sa.tuple_(at, pk) < sa.tuple_(me.c.finished_at, me.c.id))
            .order_by(at.desc(), pk.desc())
            .limit(1)
        )
        after = (
            sa.select(RunRow.run_key)
            .where(same, sa.tuple_(at, pk) > sa.tuple_(me.c.finished_at, me.c.id))
            .order_by(at, pk)
            .limit(1)
        )
        with self._session(f"could not read runs around {run_id!r}") as session:
            return session.scalar(before), session.scalar(after)

    def column_profiles(
        self,
        model: str,
        columns: Sequence[str] | None,
        *,
        run_id: str | None = None,
        baseline: str | None = None,
    ) -> dict[str, Any]:
        """Some columns' profiles of one run, or of one baseline version.

        Args:
            model: the model's name.
            columns: the columns wanted, others are not read; ``None`` reads all.
            run_id: the run whose profile to read...
            baseline: ...or the baseline version whose profile to read.

        Returns:
            ``{column: profile}`` for the columns that exist, in profile order.
        """
        if run_id is not None:
            owner = ColumnProfileRow.run_id == (
                sa.select(RunRow.id)
                .where(RunRow.model_id == _model_id(model), RunRow.run_key == run_id)
                .scalar_subquery()
            )
        else:
            owner = ColumnProfileRow.baseline_id == (
                sa.select(BaselineRow.id)
                .where(
                    BaselineRow.model_id == _model_id(model),
                    BaselineRow.version == baseline,
                )
                .scalar_subquery()
            )
        where = [owner]
        if columns is not None:
            where.append(ColumnProfileRow.column_name.in_(list(columns)))
        query = (
            sa.select(ColumnProfileRow.column_name, ColumnProfileRow.profile)
            .where(*where)
            .order_by(ColumnProfileRow.id)
        )
        with self._session(f"could not read profiles of model {model!r}") as session:
            return dict(session.execute(query).all())

    def failing_streaks(self, model: str, *, depth: int = 90) -> list[FailingCheck]:
        """The checks that did not pass in a model's latest run, and since when.

        Each check (per subject) that warned, errored or failed in the latest run
        is followed back through the model's last ``depth`` runs to the first run of
        its unbroken streak (a run where it passed, or did not run, ends it). Two
        bounded reads: the latest runs by the ``runs(model_id, finished_at)``
        index, then those runs' results of the failing checks only.

        Returns:
            Worst status first, then the longest streak first.
        """
        runs_query = (
            sa.select(RunRow.id, RunRow.run_key, RunRow.finished_at)
            .where(RunRow.model_id == _model_id(model))
            .order_by(RunRow.finished_at.desc(), RunRow.id.desc())
            .limit(max(depth, 1))
        )
        with self._session(f"could not read failing checks of {model!r}") as session:
            runs = session.execute(runs_query).all()
            if not runs:
                return []
            latest = session.execute(
                sa.select(
                    CheckResultRow.check_id,
                    CheckResultRow.subject,
                    CheckResultRow.status,
                    CheckResultRow.severity,
                ).where(
                    CheckResultRow.run_id == runs[0][0],
                    CheckResultRow.status.in_(_BAD),
                )
            ).all()
            if not latest:
                return []
            history = session.execute(
                sa.select(
                    CheckResultRow.run_id,
                    CheckResultRow.check_id,
                    CheckResultRow.subject,
                    CheckResultRow.status,
                ).where(
                    CheckResultRow.run_id.in_([pk for pk, _, _ in runs]),
                    CheckResultRow.check_id.in_({row[0] for row in latest}),
                )
            ).all()
        seen = {(pk, c, s): status for pk, c, s, status in history}
        found = []
        for check_id, subject, status, severity in latest:
            streak = 0
            for pk, _, _ in runs:
                if seen.get((pk, check_id, subject)) not in _BAD:
                    break
                streak += 1
            _, run_id, since = runs[streak - 1]
            found.append(
                FailingCheck(
                    check_id=check_id,
                    subject=subject,
                    status=status,
                    severity=severity,
                    since=since,
                    since_run_id=run_id,
                    runs=streak,
                    at_least=streak == len(runs) and len(runs) == depth,
                )
            )
        rank = {s: i for i, s in enumerate(_BAD)}
        found.sort(key=lambda f: (-rank[f.status], -f.runs, f.check_id))
        return found
