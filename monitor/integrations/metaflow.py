"""Metaflow: check an artifact inside a step and keep the report as an artifact.

- :func:`check_artifact` is called in a step, after the artifact is set: it checks
  ``self.<artifact>`` (a DataFrame, or a Parquet/CSV path) with
  :func:`modelhealth.check_run`, stores the report as the artifact
  ``modelhealth_report`` (``RunReport.to_dict()``, as ``modelhealth check --json``),
  and raises :class:`~modelhealth.integrations._common.TaskChecksFailed` when a check
  at or above ``fail_on`` failed, so the step and the run fail with the one-paragraph
  message. The report artifact is set before it raises, and Metaflow keeps the
  artifacts of a failed task, so the client shows the report of a failed step too.
- :func:`health_check` is the same as a decorator, placed under ``@step``: the
  check runs after the step's body.

The run id is ``<flow name>/<Metaflow run id>`` unless given.

Supported: metaflow >=2.12,<3 (tested with 2.19.39).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from modelhealth.integrations._common import fail_if_failed, require

METAFLOW_VERSION = require("metaflow", minimum="2.12", below="3", extra="metaflow")

from metaflow import current  # noqa: E402  (after the version gate, on purpose)

from modelhealth.errors import FailOn  # noqa: E402

__all__ = ["METAFLOW_VERSION", "REPORT_ARTIFACT", "check_artifact", "health_check"]

REPORT_ARTIFACT = "modelhealth_report"
"""The artifact the report is stored as."""

_Step = TypeVar("_Step", bound=Callable[..., Any])


def check_artifact(
    flow: Any,
    artifact: str,
    *,
    rules: str,
    run_id: str | None = None,
    model_version: str | None = None,
    db: str | None = None,
    fail_on: FailOn | str = FailOn.CRITICAL,
    alert: bool = True,
) -> dict[str, Any]:
    """Check ``flow.<artifact>`` and store the report as ``flow.modelhealth_report``.

    Args:
        flow: the FlowSpec (``self`` in a step).
        artifact: the name of the artifact holding the run's data.
        rules: the model's rules file.
        run_id: the run id to record (default: ``<flow name>/<run id>``).
        model_version: the version that produced the run.
        db: the store (default: ``MODELHEALTH_DB`` or ``./modelhealth.db``).
        fail_on: the severity that fails the step.
        alert: send alerts through the rules' routes.

    Returns:
        The report as a dict (also the ``modelhealth_report`` artifact).

    Raises:
        TaskChecksFailed: a check at or above ``fail_on`` failed.
        AttributeError: the flow has no such artifact.
    """
    from modelhealth.api import check_run

    if not hasattr(flow, artifact):
        raise AttributeError(
            f"modelhealth: step {current.step_name!r} has no artifact {artifact!r} "
            f"to check; set self.{artifact} before checking it"
        )
    report = check_run(
        rules=rules,
        run_id=run_id or f"{current.flow_name}/{current.run_id}",
        inputs=getattr(flow, artifact),
        model_version=model_version,
        db=db,
        alert=alert,
        source="metaflow",
    )
    setattr(flow, REPORT_ARTIFACT, report.to_dict())
    fail_if_failed(report, fail_on)
    return report.to_dict()


def health_check(
    artifact: str,
    *,
    rules: str,
    run_id: str | None = None,
    model_version: str | None = None,
    db: str | None = None,
    fail_on: FailOn | str = FailOn.CRITICAL,
    alert: bool = True,
) -> Callable[[_Step], _Step]:
    """Decorate a step (under ``@step``) to check ``artifact`` after its body."""

    def wrap(step_function: _Step) -> _Step:
        @functools.wraps(step_function)
        def checked(self: Any, *args: Any, **kwargs: Any) -> Any:
            out = step_function(self, *args, **kwargs)
            check_artifact(
                self,
                artifact,
                rules=rules,
                run_id=run_id,
                model_version=model_version,
                db=db,
                fail_on=fail_on,
                alert=alert,
            )
            return out

        return checked  # type: ignore[return-value]

    return wrap
