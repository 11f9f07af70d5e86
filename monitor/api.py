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
from typing import TYPE_CHECKING, Any, Union

from modelhealth import config
from modelhealth.errors import DataError, UsageError
from modelhealth.report import RunReport
from modelhealth.rules.models import RuleSet
from modelhealth.run import runner
from modelhealth.run.inputs import combine, read_frame

if TYPE_CHECKING:
    import pandas as pd

    from modelhealth.store import BaselineRecord, Store

__all__ = ["check_run", "load_frame", "open_store", "register_baseline"]

DataArg = Union["pd.DataFrame", str, os.PathLike[str]]
RulesArg = RuleSet | str | os.PathLike[str]


def _rules(rules: RulesArg) -> RuleSet:
    return rules if isinstance(rules, RuleSet) else config.load_rules(rules)


def open_store(db: str | Store | None = None, *, existing: bool = False) -> Store:
    """A store from a URL, a SQLite path, an open store, or the configured default.

    Args:
        db: the store.
        existing: the caller only reads (``status``, ``alerts pending``...): a SQLite
            file that does not exist is a mistyped path, not a store to create.

    Raises:
        UsageError: ``existing`` and no SQLite file at that path.
        StorageError: the store is unreachable.
    """
    from modelhealth.store import Store
    from modelhealth.store.urls import resolve

    if isinstance(db, Store):
        return db
    url = resolve(config.db_url(db))
    if existing and url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if str(path) != ":memory:" and not path.exists():
            raise UsageError(f"there is no store at {str(path)!r}; check --db")
    return Store(url)


def _read(data: DataArg, what: str) -> pd.DataFrame:
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, (str, os.PathLike)):
        return read_frame(data, what=what)
    raise UsageError(
        f"{what} must be a pandas DataFrame or a file path, got {type(data).__name__}"
    )


def load_frame(
    rule_set: RuleSet,
    inputs: DataArg,
    predictions: DataArg | None = None,
    labels: DataArg | None = None,
) -> pd.DataFrame:
    """Read and join a run's inputs, predictions and labels into one frame."""
    others = {}
    if predictions is not None:
        others["predictions"] = _read(predictions, "predictions")
    if labels is not None:
        others["labels"] = _read(labels, "labels")
    key = rule_set.label.key if rule_set.label else None
    return _unique_columns(combine(_read(inputs, "inputs"), others, key=key))


def _unique_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Column names as text, each once: profiles and results are keyed by them."""
    names = [str(c) for c in frame.columns]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise DataError(
            "the run's data has repeated column names: "
            + ", ".join(map(repr, repeated))
        )
    if any(not isinstance(c, str) for c in frame.columns):
        frame = frame.set_axis(names, axis=1)
    return frame


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
) -> RunReport:
    """Check one production run and store its results.

    Args:
        rules: the rules file (path) or a loaded RuleSet.
        run_id: the pipeline's id for the run; checking the same id again replaces it.
        inputs: the run's features (DataFrame, Parquet or CSV path).
        predictions: the model's outputs, if not columns of ``inputs``.
        labels: ground truth, if known already and not columns of ``inputs``.
        model_version: the version that produced the run.
        db: store URL, SQLite path or open Store (default: ``MODELHEALTH_DB`` or
            ``./modelhealth.db``).
        now: the time to record the check at (tz-aware).
        alert: send alerts through the rules' routes.
        source: recorded with the run (``python``, ``cli``...).
        progress: called with a short line before each step.

    Returns:
        The :class:`~modelhealth.report.RunReport`; call ``raise_for_status()`` to fail
        a pipeline on failed checks.

    Raises:
        RulesError: the rules file is wrong.
        DataError: the data is missing or unreadable.
        StorageError: the store is unreachable.
    """
    rule_set = _rules(rules)
    if not str(run_id).strip():
        raise UsageError("run_id must not be empty")
    for what, text in (("run_id", str(run_id)), ("model_version", model_version or "")):
        if any(ord(ch) < 32 for ch in text):  # it goes into mail subjects and URLs
            raise UsageError(f"{what} {text!r} must not hold control characters")
    frame = load_frame(rule_set, inputs, predictions, labels)
    details: dict[str, Any] = {
        k: str(v)
        for k, v in (
            ("inputs", inputs),
            ("predictions", predictions),
            ("labels", labels),
        )
        if isinstance(v, (str, os.PathLike))
    }
    store = open_store(db)
    try:
        return runner.run(
            rule_set,
            run_id=str(run_id),
            frame=frame,
            store=store,
            model_version=model_version,
            source=source,
            details=details,
            now=now,
            alert=alert,
            report_url=config.report_url(rule_set.model, str(run_id)),
            progress=progress or (lambda _: None),
        )
    finally:
        if store is not db:
            store.close()


def _metrics(
    metrics: Mapping[str, float] | str | os.PathLike[str] | None,
) -> dict[str, float]:
    if metrics is None:
        return {}
    if isinstance(metrics, (str, os.PathLike)):
        path = Path(metrics)
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise DataError(f"the metrics file {str(path)!r} does not exist") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise DataError(
                f"the metrics file {str(path)!r} is not readable: {exc}"
            ) from None
        except json.JSONDecodeError as exc:
            raise DataError(
                f"the metrics file {str(path)!r} is not valid JSON: {exc}"
            ) from None
        if not isinstance(loaded, dict):
            raise DataError(
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
            raise DataError(f"metric {name!r} must be a finite number, got {value!r}")
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
) -> BaselineRecord:
    """Register the reference data (and pre-deployment metrics) of a model version.

    Args:
        rules: the rules file or RuleSet (names the model).
        data: the reference data, usually training or validation data.
        metrics: pre-deployment metrics, as a mapping or a JSON file path.
        model_version: the version; registering the same version again replaces it.
        db: store URL, SQLite path or open Store.
        created_at: when to record it as registered.

    Returns:
        The stored baseline.
    """
    from modelhealth.checks.profile import profile_frame

    rule_set = _rules(rules)
    frame = _read(data, "baseline data")
    if frame.empty:
        raise DataError(
            "the baseline data has no rows; a reference needs data to compare with"
        )
    parsed = _metrics(metrics)
    profile = profile_frame(frame)
    store = open_store(db)
    try:
        return store.save_baseline(
            rule_set.model,
            model_version or "default",
            profile=profile.to_dict(),
            metrics=parsed,
            row_count=len(frame),
            details={"data": str(data)} if isinstance(data, (str, os.PathLike)) else {},
            created_at=created_at,
        )
    finally:
        if store is not db:
            store.close()
