"""MLflow: a run's metrics as a baseline's pre-deployment values, and check results
logged to an MLflow run.

- :func:`run_metrics` reads the metrics of an MLflow run (its latest value of each);
  ``modelhealth baseline --metrics mlflow://RUN_ID`` and
  ``register_baseline(metrics=run_metrics("RUN_ID"))`` register them as the
  baseline's pre-deployment metrics, which ``max_drop`` and the gate compare with.
- :func:`log_report` logs a checked run to an MLflow run (the active one, or the
  one named): a metric per result with a value (``modelhealth.<check>.<subject>``),
  counts per status, tags (status, model, run id, report link), and the whole report
  as the artifact ``modelhealth/report.json``. ``modelhealth check --mlflow-run
  RUN_ID`` does the same.

The tracking server is MLflow's own setting (``MLFLOW_TRACKING_URI``, or
``tracking_uri=``): a local file store, a SQLite file, or a server.

Supported: mlflow >=2.10,<4 (the ``mlflow-skinny`` client, which the full
``mlflow`` installs; tested with 3.17.2).
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from modelhealth.integrations._common import report_link, require

MLFLOW_VERSION = require("mlflow-skinny", minimum="2.10", below="4", extra="mlflow")

import mlflow  # noqa: E402  (after the version gate, on purpose)
from mlflow.entities import Metric, RunTag  # noqa: E402
from mlflow.exceptions import MlflowException  # noqa: E402

from modelhealth.errors import DataError, UsageError  # noqa: E402

if TYPE_CHECKING:
    from modelhealth.report import RunReport

__all__ = ["MLFLOW_VERSION", "SCHEME", "log_report", "metrics_uri_run", "run_metrics"]

_BATCH = 900  # MLflow takes at most 1000 metrics per batch

SCHEME = "mlflow://"
"""The prefix of ``--metrics mlflow://RUN_ID``."""


def metrics_uri_run(uri: str) -> str:
    """The run id of ``mlflow://RUN_ID``.

    Raises:
        UsageError: not of that form.
    """
    run_id = uri[len(SCHEME) :].strip("/") if uri.startswith(SCHEME) else ""
    if not run_id or "/" in run_id:
        raise UsageError(f"{uri!r} is not of the form mlflow://RUN_ID")
    return run_id


def _client(tracking_uri: str | None) -> mlflow.MlflowClient:
    return mlflow.MlflowClient(tracking_uri=tracking_uri)


def run_metrics(run_id: str, *, tracking_uri: str | None = None) -> dict[str, float]:
    """The metrics of MLflow run ``run_id``: each metric's latest value.

    Args:
        run_id: the MLflow run's id (``mlflow://`` prefix allowed).
        tracking_uri: the tracking store (default: MLflow's own setting).

    Returns:
        ``{"roc_auc": 0.81, ...}``, finite values only.

    Raises:
        DataError: no such run, the store cannot be read, or the run has no metrics.
    """
    if run_id.startswith(SCHEME):
        run_id = metrics_uri_run(run_id)
    client = _client(tracking_uri)
    try:
        run = client.get_run(run_id)
    except MlflowException as exc:
        raise DataError(
            f"cannot read the metrics of MLflow run {run_id!r} from "
            f"{mlflow.get_tracking_uri() if tracking_uri is None else tracking_uri!r}: "
            f"{exc.message}"
        ) from None
    metrics = {
        str(name): float(value)
        for name, value in run.data.metrics.items()
        if math.isfinite(value)
    }
    if not metrics:
        raise DataError(f"MLflow run {run_id!r} has no metrics to register")
    return metrics


def _key(*parts: str) -> str:
    # MLflow keys allow letters, digits, _ - . space and /; anything else becomes _
    return ".".join(re.sub(r"[^\w\-. /]", "_", p) for p in parts)


def log_report(
    report: RunReport,
    *,
    run_id: str | None = None,
    tracking_uri: str | None = None,
    prefix: str = "modelhealth",
) -> str:
    """Log a checked run's results to an MLflow run.

    Args:
        report: the checked run (``modelhealth.check_run``'s result).
        run_id: the MLflow run (default: the active run, ``mlflow.start_run()``).
        tracking_uri: the tracking store (default: MLflow's own setting).
        prefix: the start of every metric and tag key.

    Returns:
        The MLflow run id logged to.

    Raises:
        UsageError: no run named and none active.
        DataError: the MLflow store refused the run id.
    """
    if run_id is None:
        active = mlflow.active_run()
        if active is None:
            raise UsageError(
                "log_report needs an MLflow run: pass run_id=, or call it inside "
                "mlflow.start_run()"
            )
        run_id = active.info.run_id
    client = _client(tracking_uri)
    when = int(report.finished_at.timestamp() * 1000)
    metrics = [
        Metric(
            _key(prefix, r.check_id, *([r.subject] if r.subject else [])),
            float(r.value),
            when,
            0,
        )
        for r in report.results
        if r.value is not None and math.isfinite(r.value)
    ]
    metrics += [
        Metric(_key(prefix, "results", status), float(n), when, 0)
        for status, n in report.counts().items()
    ]
    tags = {
        f"{prefix}.status": report.status.value,
        f"{prefix}.model": report.model,
        f"{prefix}.run_id": report.run_id,
    }
    if report.model_version:
        tags[f"{prefix}.model_version"] = report.model_version
    link = report_link(report)
    if link:
        tags[f"{prefix}.report_url"] = link
    try:
        client.log_batch(run_id, tags=[RunTag(k, v) for k, v in tags.items()])
        for start in range(0, len(metrics), _BATCH):
            client.log_batch(run_id, metrics=metrics[start : start + _BATCH])
        client.log_dict(run_id, report.to_dict(), f"{prefix}/report.json")
    except MlflowException as exc:
        raise DataError(
            f"cannot log the results of model {report.model!r} run {report.run_id!r} "
            f"(stored) to MLflow run {run_id!r}: {exc.message}"
        ) from None
    return run_id
