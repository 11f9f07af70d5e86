"""The Python API a pipeline imports: check a run, register a baseline.

    import modelhealth
    report = modelhealth.check_run(rules="rules/churn.yaml", run_id="2026-03-01",
    inputs=df)
    report.raise_for_status(fail_on="critical")

Frames or file paths are accepted wherever data is; rules may be a path or a loaded
:class:`~modelhealth.rules.models.RuleSet`; ``db`` is a URL or SQLite file path.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from modelhealth import config
from modelhealth.engine import Engine, EngineSettings, RunData, get_engine, scan_run
from modelhealth.engine.inputs import DataArg
from modelhealth.errors import DataError, StorageError, UsageError
from modelhealth.report import RunReport
from modelhealth.rules.models import RuleSet
from modelhealth.run import runner
from modelhealth.run.importance import ImportanceArg, read_importance
from modelhealth.run.request import RunRequest, check, check_ids
from modelhealth.store import Store
from modelhealth.store.opening import open_store, using

if TYPE_CHECKING:
    from modelhealth.store import BaselineRecord

__all__ = ["DataArg", "RulesArg", "check_run", "open_store", "register_baseline"]

RulesArg = RuleSet | str | os.PathLike[str]
"""Rules as the Python API takes them: a loaded RuleSet or a rules file path."""

EngineArg = str | EngineSettings | None
"""An engine as the Python API takes it: ``local``, ``spark`` or its settings."""


def check_run(
    *,
    rules: RulesArg,
    run_id: str,
    inputs: DataArg,
    predictions: DataArg | None = None,
    labels: DataArg | None = None,
    model_version: str | None = None,
    db: str | Store | None = None,
    now: datetime | None = None,
    alert: bool = True,
    source: str = "python",
    progress: runner.Progress | None = None,
    run_time_column: str | None = None,
    spool: str | os.PathLike[str] | None = None,
    engine: EngineArg = None,
    offline: str | os.PathLike[str] | None = None,
) -> RunReport:
    """Check one production run and store its results.

    When the store cannot be reached, or fails while the run is written, the run
    is written to the local spool instead (``spool``, ``MODELHEALTH_SPOOL`` or
    ``./modelhealth-spool``; :mod:`modelhealth.run.spool`) and the report is
    returned as usual, with ``run_pk`` ``None``: ``modelhealth spool replay``
    (or the service, on its own) stores it later.

    Args:
        rules: the rules file (path) or a loaded RuleSet.
        run_id: the pipeline's id for the run; checking the same id again replaces it.
        inputs: the run's features (DataFrame, Parquet or CSV path).
        predictions: the model's outputs, if not columns of ``inputs``.
        labels: ground truth, if known already and not columns of ``inputs``.
        model_version: the version that produced the run.
        db: store URL, SQLite path or open Store (default: ``MODELHEALTH_DB`` or
            ``./modelhealth.db``).
        now: the run's time (tz-aware): its place in history, incidents and
            alerts; default: the stored run's time when ``run_id`` is checked
            again, else now.
        alert: send alerts through the rules' routes.
        source: recorded with the run (``python``, ``cli``...).
        progress: called with a short line before each step.
        run_time_column: without ``now``, the run's time is the latest value of
            this column of the data.
        spool: the spool folder for a run the store cannot take.
        engine: what reads the data: ``local`` (streams it in batches) or
            ``spark``, or :class:`~modelhealth.engine.EngineSettings` (batch
            size, Spark master); default: the rules' ``engine``, else
            ``MODELHEALTH_ENGINE``, else ``local``. A Spark DataFrame as
            ``inputs`` takes the Spark engine.
        offline: the offline features of the rules' ``skew`` checks for this run,
            instead of their rules' ``offline:``.

    Returns:
        The :class:`~modelhealth.report.RunReport`; call ``raise_for_status()`` to fail
        a pipeline on failed checks.

    Raises:
        UsageError: ``offline`` is given, but the rules have no skew check or the
            file does not exist.
        RulesError: the rules file is wrong.
        DataError: the data is missing or unreadable.
        StorageError: the run could be neither stored nor spooled.
    """
    rule_set = config.as_rule_set(rules)
    if offline is not None:
        rule_set = _with_offline(rule_set, offline)
    request = RunRequest(
        rule_set=rule_set,
        run_id=str(run_id),
        inputs=inputs,
        predictions=predictions,
        labels=labels,
        model_version=model_version,
        source=source,
        now=now,
        alert=alert,
        run_time_column=run_time_column,
        engine=_settings(engine, inputs, rule_set),
    )
    if isinstance(db, Store):
        return check(request, store=db, progress=progress, spool=spool)
    try:
        opened = open_store(db)
    except StorageError as exc:  # down or unreachable: check, then spool
        check_ids(request.run_id, request.model_version)
        return check(
            request, store=None, progress=progress, spool=spool, unreachable=exc
        )
    try:
        return check(request, store=opened, progress=progress, spool=spool)
    finally:
        opened.close()


def _with_offline(rule_set: RuleSet, offline: str | os.PathLike[str]) -> RuleSet:
    """The rules with ``offline`` as every skew check's offline features."""
    from modelhealth.checks.skew import SkewParams

    path = os.fspath(offline)
    if not any(isinstance(c, SkewParams) for c in rule_set.checks):
        raise UsageError(
            f"--offline {path!r} is for skew checks, and the rules of model "
            f"{rule_set.model!r} have none"
        )
    if not Path(path).exists():
        raise UsageError(f"the offline features {path!r} do not exist")
    checks = [
        c.model_copy(update={"offline": path}) if isinstance(c, SkewParams) else c
        for c in rule_set.checks
    ]
    return rule_set.model_copy(update={"checks": checks})


def _metrics(
    metrics: Mapping[str, float] | str | os.PathLike[str] | None,
) -> dict[str, float]:
    # the metrics are an argument of the command: a wrong one is a usage error
    if metrics is None:
        return {}
    if isinstance(metrics, (str, os.PathLike)):
        path = Path(metrics)
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise UsageError(
                f"the metrics file {str(path)!r} does not exist; it is a JSON "
                f'object of pre-deployment metrics, like {{"roc_auc": 0.81}}'
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(
                f"the metrics file {str(path)!r} is not readable: {exc}"
            ) from None
        except json.JSONDecodeError as exc:
            raise UsageError(
                f"the metrics file {str(path)!r} is not valid JSON: {exc}"
            ) from None
        if not isinstance(loaded, dict):
            raise UsageError(
                f"the metrics file {str(path)!r} must hold a JSON object like "
                f'{{"roc_auc": 0.81}}, got {type(loaded).__name__}'
            )
        metrics = loaded
    out: dict[str, float] = {}
    for name, value in metrics.items():
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
        ):
            raise UsageError(f"metric {name!r} must be a finite number, got {value!r}")
        out[str(name)] = float(value)
    return out


def register_baseline(
    *,
    rules: RulesArg,
    data: DataArg,
    metrics: Mapping[str, float] | str | os.PathLike[str] | None = None,
    model_version: str | None = None,
    db: str | Store | None = None,
    created_at: datetime | None = None,
    engine: EngineArg = None,
    importance: ImportanceArg | None = None,
) -> BaselineRecord:
    """Register the reference data (and pre-deployment metrics) of a model version.

    Args:
        rules: the rules file or RuleSet (names the model).
        data: the reference data, usually training or validation data.
        metrics: pre-deployment metrics, as a mapping or a JSON file path.
        model_version: the version; registering the same version again replaces it.
        db: store URL, SQLite path or open Store.
        created_at: when to record it as registered.
        engine: ``local`` or ``spark``, or :class:`EngineSettings`; default: the
            rules' ``engine``, else ``MODELHEALTH_ENGINE``, else ``local``.
        importance: feature importance, as a mapping or a JSON/CSV file; drifted
            features are ranked by importance x drift (else by the mutual
            information with the prediction, estimated on ``data``).

    Returns:
        The stored baseline.

    Raises:
        RulesError: the rules file is wrong.
        UsageError: the metrics are missing, not JSON, or not numbers.
        DataError: the data is missing, unreadable or empty.
        StorageError: the store is unreachable.
    """
    from modelhealth.checks.fitted import fit_reference

    rule_set = config.as_rule_set(rules)
    parsed = _metrics(metrics)
    found = _engine(engine, data, rule_set)
    try:
        scan = scan_run(
            found, RunData(inputs=data), rule_set, reference=None, checks=()
        )
    finally:
        found.close()
    if scan.rows == 0:
        raise DataError(
            "the baseline data has no rows; a reference needs data to compare with"
        )
    fitted_on = {"sample_rows": len(scan.frame)} if scan.sampled else {}
    given = {} if importance is None else {"importance": read_importance(importance)}
    with using(db) as store:
        return store.save_baseline(
            rule_set.model,
            model_version or "default",
            profile=scan.profile.to_dict(),
            metrics=parsed,
            row_count=scan.rows,
            details={
                **({"data": str(data)} if isinstance(data, (str, os.PathLike)) else {}),
                **fit_reference(rule_set, scan.frame),
                **({"fitted_on": fitted_on} if fitted_on else {}),
                **given,
            },
            created_at=created_at,
        )


def _settings(engine: EngineArg, data: object, rule_set: RuleSet) -> EngineSettings:
    if isinstance(engine, EngineSettings):
        return engine
    if engine is None and type(data).__module__.startswith("pyspark"):
        engine = "spark"  # a Spark DataFrame is read where it lives
    return EngineSettings.from_env(name=engine, default=rule_set.engine)


def _engine(engine: EngineArg, data: object, rule_set: RuleSet) -> Engine:
    """The engine asked for: the argument, else the rules' ``engine``, else the
    environment's; a Spark DataFrame given as data takes the Spark engine."""
    return get_engine(_settings(engine, data, rule_set))
