"""Luigi: check a task's output when it completes, and fail the workflow on a
failed check.

- :class:`HealthCheckMixin` goes first in a task's bases. After the task's ``run()``
  wrote its output, Luigi calls ``on_success()``; the mixin checks the output there
  (:func:`~modelhealth.integrations._common.check_or_fail`), so a check at or above
  ``health_fail_on`` marks the task FAILED, its dependants do not run, and
  ``luigi.build`` returns ``False``. ``on_failure`` returns the one-paragraph message
  instead of Luigi's traceback, so the summary and error e-mails say what failed.
- :func:`add_event_handler` checks the output of existing task classes after every
  success, without changing them. Luigi protects a workflow from its event handlers
  (an exception there is only logged), so the handler stores the results and sends
  the alerts but cannot fail the task: use the mixin for that.

Supported: luigi >=3.0,<4 (tested with 3.8.1).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

from modelhealth.integrations._common import (
    TaskChecksFailed,
    check_or_fail,
    require,
)

LUIGI_VERSION = require("luigi", minimum="3.0", below="4", extra="luigi")

import luigi  # noqa: E402  (after the version gate, on purpose)

from modelhealth.errors import FailOn  # noqa: E402

__all__ = ["LUIGI_VERSION", "HealthCheckMixin", "add_event_handler", "output_path"]

log = logging.getLogger(__name__)


def output_path(task: Any) -> str:
    """The local path of ``task.output()`` (a target with ``.path``), to check.

    Raises:
        TypeError: the task has no single file-like output.
    """
    target = task.output()
    path = getattr(target, "path", None)
    if not isinstance(path, str):
        raise TypeError(
            f"{task.task_id}: modelhealth checks a task's output, which must be one "
            f"target with a path (a LocalTarget); got {target!r}. Override "
            "health_inputs() to say what to check."
        )
    return path


class HealthCheckMixin:
    """Check this task's output after ``run()``; fail the task if checks failed.

    Put it first: ``class Score(HealthCheckMixin, luigi.Task)``. Set
    ``health_rules``; override ``health_run_id()`` (default: the task id) and
    ``health_inputs()`` (default: the output's path) as needed.

    Attributes:
        health_rules: the rules file (or RuleSet) of the model.
        health_fail_on: the severity that fails the task (``critical``, ``warning``,
            ``info``, ``never``).
        health_db: the store (default: ``MODELHEALTH_DB`` or ``./modelhealth.db``).
        health_alert: send alerts through the rules' routes.
        health_model_version: the model version that produced the output.
        health_report: the report of the last check, once it ran.
    """

    health_rules: Any = None
    health_fail_on: str = FailOn.CRITICAL.value
    health_db: str | None = None
    health_alert: bool = True
    health_model_version: str | None = None
    health_report: Any = None

    def health_run_id(self) -> str:
        """The run id to record; by default the task id (name and parameters)."""
        return str(getattr(self, "task_id"))  # noqa: B009 - a luigi.Task's

    def health_inputs(self) -> Any:
        """What to check; by default the path of ``self.output()``."""
        return output_path(self)

    def on_success(self) -> Any:
        if self.health_rules is None:
            raise TypeError(
                f"{type(self).__name__} uses HealthCheckMixin but sets no "
                "health_rules (the model's rules file)"
            )
        self.health_report = check_or_fail(
            rules=self.health_rules,
            run_id=self.health_run_id(),
            inputs=self.health_inputs(),
            model_version=self.health_model_version,
            db=self.health_db,
            fail_on=self.health_fail_on,
            alert=self.health_alert,
            source="luigi",
        )
        return super().on_success()  # type: ignore[misc]

    def on_failure(self, exception: BaseException) -> Any:
        if isinstance(exception, TaskChecksFailed):
            return str(exception)
        return super().on_failure(exception)  # type: ignore[misc]


def add_event_handler(
    task_class: type[Any] = luigi.Task,
    *,
    rules: str | os.PathLike[str],
    run_id: Callable[[Any], str] | None = None,
    inputs: Callable[[Any], Any] = output_path,
    db: str | None = None,
    fail_on: FailOn | str = FailOn.CRITICAL,
    alert: bool = True,
) -> Callable[[Any], None]:
    """Check the output of every successful ``task_class`` (and subclasses).

    Args:
        task_class: the existing task class to watch.
        rules: the model's rules file.
        run_id: the run id from the task (default: its task id).
        inputs: what to check from the task (default: its output's path).
        db: the store.
        fail_on: the severity whose failure is logged as an error (the task
            itself stays done: Luigi does not let handlers fail it).
        alert: send alerts through the rules' routes.

    Returns:
        The handler, registered for ``luigi.Event.SUCCESS``.
    """

    def check_output(task: Any) -> None:
        try:
            check_or_fail(
                rules=rules,
                run_id=run_id(task) if run_id else str(task.task_id),
                inputs=inputs(task),
                db=db,
                fail_on=fail_on,
                alert=alert,
                source="luigi",
            )
        except Exception as exc:  # Luigi would only log a traceback; say it plainly
            log.error("modelhealth could not pass %s: %s", task, exc)

    task_class.event_handler(luigi.Event.SUCCESS)(check_output)
    return check_output
