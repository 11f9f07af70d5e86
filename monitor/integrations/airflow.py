"""Airflow: an operator that checks a run and fails the task at a severity, and an
``on_success_callback`` for existing tasks.

- :class:`ModelHealthOperator` checks a run's data with
  :func:`modelhealth.check_run`: a path (templated, e.g.
  ``"data/{{ ds }}/scores.parquet"``) or a DataFrame or path that an upstream task
  returned (``inputs_task_id``, read from XCom). It pushes the report
  (``RunReport.to_dict()``, as ``modelhealth check --json``) to XCom as
  ``modelhealth_report`` and, on success, as its return value; when a check at or
  above ``fail_on`` failed it raises ``AirflowFailException`` (no retries: the data
  would not change) with the one-paragraph message, so the task fails and its
  downstream tasks do not run.
- :func:`health_check_callback` makes an ``on_success_callback`` that checks the
  output of an existing task after it succeeded. Airflow does not let a callback
  fail the task, so it stores the results, sends the alerts and logs the paragraph;
  use the operator to fail a DAG run.

The run id is Airflow's ``{{ run_id }}`` unless given (templated).

Supported: apache-airflow >=3.0,<4, the Task SDK (tested with 3.3.2).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from modelhealth.integrations._common import TaskChecksFailed, check_or_fail, require

AIRFLOW_VERSION = require("apache-airflow", minimum="3.0", below="4", extra="airflow")

from airflow.sdk import BaseOperator  # noqa: E402  (after the version gate)
from airflow.sdk.exceptions import AirflowFailException  # noqa: E402

from modelhealth.errors import FailOn  # noqa: E402

__all__ = [
    "AIRFLOW_VERSION",
    "REPORT_KEY",
    "ModelHealthOperator",
    "health_check_callback",
]

REPORT_KEY = "modelhealth_report"
"""The XCom key the report is pushed as."""

log = logging.getLogger(__name__)


class ModelHealthOperator(BaseOperator):  # type: ignore[misc]
    """Check one run of a model; fail the task if checks at ``fail_on`` failed.

    Args:
        rules: the model's rules file.
        inputs: the run's data, a path (templated); or
        inputs_task_id: the upstream task whose XCom holds the data (a DataFrame or
            a path), with ``inputs_key`` (default ``return_value``).
        run_id: the run id to record (templated; default ``{{ run_id }}``).
        predictions, labels: further data paths, if not columns of the inputs.
        model_version: the version that produced the run (templated).
        db: the store (default: ``MODELHEALTH_DB`` or ``./modelhealth.db``).
        fail_on: the severity that fails the task.
        alert: send alerts through the rules' routes.
    """

    template_fields: Sequence[str] = (
        "rules",
        "inputs",
        "run_id",
        "predictions",
        "labels",
        "model_version",
    )
    ui_color = "#e8f4ea"

    def __init__(
        self,
        *,
        rules: str,
        inputs: str | None = None,
        inputs_task_id: str | None = None,
        inputs_key: str = "return_value",
        run_id: str = "{{ run_id }}",
        predictions: str | None = None,
        labels: str | None = None,
        model_version: str | None = None,
        db: str | None = None,
        fail_on: FailOn | str = FailOn.CRITICAL,
        alert: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if (inputs is None) == (inputs_task_id is None):
            raise ValueError(
                f"{self.task_id}: give ModelHealthOperator either inputs= (a path) "
                "or inputs_task_id= (an upstream task whose XCom holds the data)"
            )
        self.rules = rules
        self.inputs = inputs
        self.inputs_task_id = inputs_task_id
        self.inputs_key = inputs_key
        self.run_id = run_id
        self.predictions = predictions
        self.labels = labels
        self.model_version = model_version
        self.db = db
        self.fail_on = FailOn(fail_on)
        self.alert = alert

    def _data(self, context: Any) -> Any:
        if self.inputs is not None:
            return self.inputs
        data = context["ti"].xcom_pull(
            task_ids=self.inputs_task_id, key=self.inputs_key
        )
        if data is None:
            raise AirflowFailException(
                f"modelhealth: task {self.inputs_task_id!r} pushed no XCom "
                f"{self.inputs_key!r} to check"
            )
        return data

    def execute(self, context: Any) -> dict[str, Any]:
        try:
            report = check_or_fail(
                rules=self.rules,
                run_id=self.run_id,
                inputs=self._data(context),
                predictions=self.predictions,
                labels=self.labels,
                model_version=self.model_version,
                db=self.db,
                fail_on=self.fail_on,
                alert=self.alert,
                source="airflow",
            )
        except TaskChecksFailed as exc:
            context["ti"].xcom_push(key=REPORT_KEY, value=exc.report.to_dict())
            raise AirflowFailException(str(exc)) from None
        out = report.to_dict()
        context["ti"].xcom_push(key=REPORT_KEY, value=out)
        return out


def health_check_callback(
    *,
    rules: str,
    inputs: Callable[[Any], Any],
    run_id: Callable[[Any], str] | None = None,
    db: str | None = None,
    fail_on: FailOn | str = FailOn.CRITICAL,
    alert: bool = True,
) -> Callable[[Any], None]:
    """An ``on_success_callback`` that checks what an existing task wrote.

    Args:
        rules: the model's rules file.
        inputs: the data from the task's context (a path or a DataFrame), e.g.
            ``lambda ctx: f"data/{ctx['ds']}/scores.parquet"``.
        run_id: the run id from the context (default: the DAG run's id).
        db: the store.
        fail_on: the severity whose failure is logged as an error.
        alert: send alerts through the rules' routes.

    Returns:
        The callback.
    """

    def callback(context: Any) -> None:
        task = context["ti"].task_id
        try:
            check_or_fail(
                rules=rules,
                run_id=run_id(context) if run_id else str(context["run_id"]),
                inputs=inputs(context),
                db=db,
                fail_on=fail_on,
                alert=alert,
                source="airflow",
            )
        except Exception as exc:  # a callback cannot fail the task: say it plainly
            log.error("modelhealth could not pass task %r: %s", task, exc)
        else:
            log.info("modelhealth: task %r passed its checks", task)

    return callback
