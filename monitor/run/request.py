"""The one front door: every run, whoever asks, is checked through :func:`check`.

The Python API (:func:`modelhealth.check_run`, and through it the CLI's ``check``),
the HTTP API (``POST /api/v1/runs``) and the scheduler's jobs each describe the run
as a :class:`RunRequest`; :func:`check` validates its ids, reads and joins its data,
builds the run's report link and hands the data, with the engine that reads it
(:mod:`modelhealth.engine`), to :func:`modelhealth.run.runner.run`, which scans,
checks, stores and alerts.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from modelhealth import config
from modelhealth.checks.base import CheckResult, Status, utcnow
from modelhealth.engine import EngineSettings, RunData, get_engine
from modelhealth.engine.inputs import DataArg
from modelhealth.engine.scan import run_time
from modelhealth.errors import DataError, StorageError, UsageError
from modelhealth.report import RunReport
from modelhealth.rules.models import RuleSet, Severity
from modelhealth.run import runner

if TYPE_CHECKING:
    import pandas as pd

    from modelhealth.store import Store

__all__ = ["RunRequest", "check", "check_ids", "record_failure", "run_time_of"]


@dataclass(frozen=True)
class RunRequest:
    """One run to check, as a caller describes it.

    Attributes:
        rule_set: the model's rules.
        run_id: the pipeline's id for the run; checking it again replaces it.
        inputs: the run's features (a DataFrame, or a Parquet or CSV path).
        predictions: the model's outputs, if not columns of ``inputs``.
        labels: ground truth, if known already and not columns of ``inputs``.
        model_version: the version that produced the run.
        source: who asked (``python``, ``cli``, ``api``, ``scheduler``).
        details: JSON-able extras stored with the run; data paths are added.
        now: the run's time (tz-aware); see :func:`modelhealth.run.runner.run`.
        alert: send alerts through the rules' routes.
        report_base: the web report's base URL for links; ``None`` takes the
            configured one (:func:`modelhealth.config.report_link`).
        run_time_column: without ``now``, the run's time is the latest value of
            this column of the data (UTC when the column has no zone).
        engine: how the data is read (:class:`~modelhealth.engine.EngineSettings`);
            ``None`` takes the rules' ``engine``, else ``MODELHEALTH_ENGINE``,
            else the local engine.
    """

    rule_set: RuleSet
    run_id: str
    inputs: DataArg
    predictions: DataArg | None = None
    labels: DataArg | None = None
    model_version: str | None = None
    source: str = "python"
    details: Mapping[str, Any] = field(default_factory=dict)
    now: datetime | None = None
    alert: bool = True
    report_base: str | None = None
    run_time_column: str | None = None
    engine: EngineSettings | None = None

    def data(self) -> RunData:
        """The run's data parts, joined on the label's key when the rules name one."""
        label = self.rule_set.label
        return RunData(
            inputs=self.inputs,
            predictions=self.predictions,
            labels=self.labels,
            key=label.key if label is not None else None,
        )


def check_ids(run_id: str, model_version: str | None = None) -> None:
    """Refuse an empty run id, and control characters in the run id or version
    (they go into mail subjects and URLs).

    Raises:
        UsageError: naming the id.
    """
    if not run_id.strip():
        raise UsageError("run_id must not be empty")
    for what, text in (("run_id", run_id), ("model_version", model_version or "")):
        if any(ord(ch) < 32 for ch in text):
            raise UsageError(f"{what} {text!r} must not hold control characters")


def run_time_of(frame: pd.DataFrame, column: str) -> datetime:
    """A run's time from its data: the latest value of ``column``.

    Raises:
        DataError: the column is missing, holds no time, or only nulls.
    """
    import pandas as pd

    if column not in frame.columns:
        raise DataError(f"the run-time column {column!r} is not in the run's data")
    try:
        times = pd.to_datetime(frame[column], utc=True)
    except (ValueError, TypeError) as exc:
        raise DataError(
            f"the run-time column {column!r} does not hold times: {exc}"
        ) from None
    latest = times.max()
    if pd.isna(latest):
        raise DataError(f"the run-time column {column!r} has no value")
    at: datetime = latest.to_pydatetime()
    return at


def check(
    request: RunRequest,
    *,
    store: Store | None,
    progress: runner.Progress | None = None,
    spool: str | os.PathLike[str] | None = None,
    unreachable: StorageError | None = None,
) -> RunReport:
    """Check one run: read its data, run every check, store it, send its alerts.

    Args:
        request: the run.
        store: where the reference is read and the run is written.
        progress: called with a short line before each step.
        spool: the spool folder for a run the store cannot take.
        unreachable: why ``store`` is ``None`` (it could not be opened): the
            run is checked without a reference and spooled.

    Returns:
        The stored report (``run_pk`` set; ``None`` when it was spooled).

    Raises:
        UsageError: an empty run id or control characters in an id.
        DataError: the data is missing or unreadable.
        StorageError: the run could be neither stored nor spooled.
    """
    check_ids(request.run_id, request.model_version)
    data = request.data()
    settings = request.engine or EngineSettings.from_env(
        default=request.rule_set.engine
    )
    engine = get_engine(settings)
    try:
        now = request.now
        if now is None and request.run_time_column is not None:
            now = run_time(engine, data, request.run_time_column)
        return _run(request, data, engine, now, store, progress, spool, unreachable)
    finally:
        engine.close()


def _run(
    request: RunRequest,
    data: RunData,
    engine: Any,
    now: datetime | None,
    store: Store | None,
    progress: runner.Progress | None,
    spool: str | os.PathLike[str] | None,
    unreachable: StorageError | None,
) -> RunReport:
    rule_set = request.rule_set
    paths = data.paths()
    return runner.run(
        rule_set,
        run_id=request.run_id,
        data=data,
        engine=engine,
        store=store,
        model_version=request.model_version,
        source=request.source,
        details={**request.details, **paths},
        now=now,
        alert=request.alert,
        report_url=config.report_link(
            rule_set.model, request.run_id, base=request.report_base
        ),
        progress=progress or runner.quiet,
        spool=None if spool is None else os.fspath(spool),
        unreachable=unreachable,
    )


def record_failure(
    request: RunRequest, error: Exception, *, store: Store | None
) -> RunReport:
    """Store that a run could not be checked, so its outcome outlives the caller.

    A run the HTTP API accepted answers ``202`` before it is checked; if its data
    then turns out unreadable, this keeps the failure visible in the store (and in
    every later ``GET``, whichever process answers): a run holding one ``errored``
    result (check id and kind ``run``) with the message, alerting like any other.
    Spooled like any run when the store cannot take it.

    Returns:
        The stored (or spooled) report.
    """
    now = utcnow()
    severities = [c.severity for c in request.rule_set.checks if c.enabled]
    result = CheckResult(
        check_id="run",
        kind="run",
        subject=None,
        status=Status.ERRORED,
        severity=max(severities, key=lambda s: s.rank, default=Severity.WARNING),
        message=f"the run could not be checked: {error}",
        started_at=now,
        finished_at=now,
    )
    report = RunReport(
        model=request.rule_set.model,
        run_id=request.run_id,
        results=(result,),
        profile={},
        row_count=0,
        started_at=now,
        finished_at=now,
        model_version=request.model_version,
        source=request.source,
        details={**request.details, "verdict": "error", "error": str(error)},
    )
    return runner.publish(
        report,
        request.rule_set,
        store=store,
        report_url=config.report_link(
            request.rule_set.model, request.run_id, base=request.report_base
        ),
        alert=request.alert,
    )
