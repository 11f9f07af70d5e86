"""Prefect: a task that checks a run and fails the flow on a failed check.

:func:`check_run_task` is a Prefect task (``prefect.task``) around
:func:`~modelhealth.integrations._common.check_or_fail`: it returns the report as a
dict (``RunReport.to_dict()``, the same as ``modelhealth check --json``), which
downstream tasks may take, and raises
:class:`~modelhealth.integrations._common.TaskChecksFailed` when a check at or above
``fail_on`` failed, so the task run and the flow run end FAILED with the
one-paragraph message as their state message. The task never retries a failed check
(the data would not change); it does retry nothing else unless asked, as Prefect's
``with_options(retries=...)`` allows.

Supported: prefect >=3.0,<4 (tested with 3.8.8).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from modelhealth.integrations._common import check_or_fail, require

PREFECT_VERSION = require("prefect", minimum="3.0", below="4", extra="prefect")

from prefect import get_run_logger, task  # noqa: E402  (after the version gate)

from modelhealth.errors import FailOn  # noqa: E402

if TYPE_CHECKING:
    from modelhealth.api import DataArg

__all__ = ["PREFECT_VERSION", "check_run_task"]


@task(name="modelhealth-check", retries=0)
def check_run_task(
    *,
    rules: str,
    run_id: str,
    inputs: DataArg,
    predictions: DataArg | None = None,
    labels: DataArg | None = None,
    model_version: str | None = None,
    db: str | None = None,
    fail_on: FailOn | str = FailOn.CRITICAL,
    alert: bool = True,
) -> dict[str, Any]:
    """Check one run; fail the task (and so the flow) if checks at ``fail_on`` fail.

    Args:
        rules: the model's rules file.
        run_id: the pipeline's id for the run (a flow run's name or date).
        inputs: the run's data: a DataFrame, or a Parquet or CSV path.
        predictions: the model's outputs, if not columns of ``inputs``.
        labels: ground truth, if known and not columns of ``inputs``.
        model_version: the version that produced the run.
        db: the store (default: ``MODELHEALTH_DB`` or ``./modelhealth.db``).
        fail_on: the severity that fails the task.
        alert: send alerts through the rules' routes.

    Returns:
        The report as a dict (``RunReport.to_dict()``).
    """
    report = check_or_fail(
        rules=rules,
        run_id=run_id,
        inputs=inputs,
        predictions=predictions,
        labels=labels,
        model_version=model_version,
        db=db,
        fail_on=fail_on,
        alert=alert,
        source="prefect",
    )
    counts = ", ".join(f"{n} {s}" for s, n in report.counts().items() if n)
    get_run_logger().info(
        "modelhealth: model %r run %r %s (%s)",
        report.model,
        report.run_id,
        report.status.value,
        counts or "no results",
    )
    return report.to_dict()
