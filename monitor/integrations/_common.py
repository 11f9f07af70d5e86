"""What every integration shares: the version gate at import, checking a run inside
a task, and the one-paragraph message that fails the task.

:func:`require` runs first in each integration module, before the orchestrator is
imported, so an unsupported version stops at ``import`` with the supported range
rather than later with an ``AttributeError`` deep inside the orchestrator.
:func:`check_or_fail` is the one function a task calls: it checks the run with
:func:`modelhealth.check_run` and raises :class:`TaskChecksFailed` when a check at or
above ``fail_on`` failed, which is how every orchestrator here fails a task.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from importlib import metadata
from typing import TYPE_CHECKING

from modelhealth.errors import ChecksFailed, FailOn, UsageError

if TYPE_CHECKING:
    from modelhealth.api import DataArg, RulesArg
    from modelhealth.checks.base import CheckResult
    from modelhealth.report import RunReport
    from modelhealth.store import Store

__all__ = [
    "TaskChecksFailed",
    "UnsupportedVersion",
    "check_or_fail",
    "fail_if_failed",
    "failure_message",
    "installed_version",
    "report_link",
    "require",
]

_SHOWN = 5


class UnsupportedVersion(UsageError, ImportError):
    """The orchestrator an integration needs is absent or outside its range.

    An ``ImportError`` (it happens at import) and a ``UsageError`` (the CLI exits 2
    with the message, as for ``baseline --metrics mlflow://...`` without MLflow).
    """


def installed_version(dist: str) -> str | None:
    """The installed version of distribution ``dist``, or ``None``."""
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _release(text: str) -> tuple[int, ...]:
    # "2.10.1rc1" -> (2, 10, 1): the release numbers, enough for a range check
    parts = re.match(r"\d+(?:\.\d+)*", text)
    return tuple(int(p) for p in parts.group(0).split(".")) if parts else (0,)


def require(dist: str, *, minimum: str, below: str, extra: str) -> str:
    """Check that ``dist`` is installed at ``>=minimum,<below``; return its version.

    Args:
        dist: the distribution's name on PyPI (``apache-airflow``).
        minimum: the oldest supported version.
        below: the first unsupported version.
        extra: modelhealth's extra that installs a supported version.

    Raises:
        UnsupportedVersion: absent, or outside the range; the message names both.
    """
    wanted = f"{dist}>={minimum},<{below}"
    hint = f"install a supported one with: pip install 'modelhealth[{extra}]'"
    found = installed_version(dist)
    if found is None:
        raise UnsupportedVersion(
            f"modelhealth.integrations.{extra} needs {wanted}, which is not "
            f"installed; {hint}"
        )
    if not _release(minimum) <= _release(found) < _release(below):
        raise UnsupportedVersion(
            f"modelhealth.integrations.{extra} supports {wanted}, but {dist} "
            f"{found} is installed; {hint}"
        )
    return found


def report_link(report: RunReport) -> str | None:
    """The run's page in the web report, when a report URL is configured."""
    from modelhealth import config

    return config.report_link(report.model, report.run_id)


def _describe(result: CheckResult) -> str:
    name = result.check_id + (f"[{result.subject}]" if result.subject else "")
    said = f": {result.message}" if result.message else ""
    return f"{name} {result.status.value} ({result.severity.value}){said}"


def failure_message(
    report: RunReport, failed: Sequence[CheckResult], fail_on: FailOn | str
) -> str:
    """One paragraph: model, run, the failed checks (the first five), report link."""
    shown = "; ".join(_describe(r) for r in failed[:_SHOWN])
    more = f"; and {len(failed) - _SHOWN} more" if len(failed) > _SHOWN else ""
    link = report_link(report)
    where = (
        f"Report: {link}"
        if link
        else f"Report: modelhealth status --model {report.model} "
        "(set MODELHEALTH_REPORT_URL for a link)"
    )
    version = f" (version {report.model_version})" if report.model_version else ""
    return (
        f"modelhealth: model {report.model!r}{version} run {report.run_id!r} failed "
        f"{len(failed)} check(s) at or above {FailOn(fail_on).value!r}: "
        f"{shown}{more}. {where}"
    )


class TaskChecksFailed(ChecksFailed):
    """A check at or above ``fail_on`` failed inside a task; the task fails.

    Attributes:
        report: the checked run, for a handler that wants the details.
        failed: the results that failed the task.
    """

    def __init__(
        self, report: RunReport, failed: Sequence[CheckResult], fail_on: FailOn | str
    ) -> None:
        super().__init__(report.model, report.run_id, failed)
        self.report = report
        self.args = (failure_message(report, failed, fail_on),)


def fail_if_failed(report: RunReport, fail_on: FailOn | str) -> RunReport:
    """Raise :class:`TaskChecksFailed` when anything at or above ``fail_on`` failed."""
    failed = report.failed(fail_on)
    if failed:
        raise TaskChecksFailed(report, failed, fail_on)
    return report


def check_or_fail(
    *,
    rules: RulesArg,
    run_id: str,
    inputs: DataArg,
    predictions: DataArg | None = None,
    labels: DataArg | None = None,
    model_version: str | None = None,
    db: str | Store | None = None,
    fail_on: FailOn | str = FailOn.CRITICAL,
    alert: bool = True,
    source: str = "python",
) -> RunReport:
    """Check a run (:func:`modelhealth.check_run`) and fail the task if it failed.

    Returns:
        The report, when nothing at or above ``fail_on`` failed.

    Raises:
        TaskChecksFailed: something at or above ``fail_on`` failed; its message is
            the paragraph the orchestrator shows.
        RulesError, DataError, StorageError: as :func:`modelhealth.check_run`.
    """
    from modelhealth.api import check_run

    report = check_run(
        rules=rules,
        run_id=run_id,
        inputs=inputs,
        predictions=predictions,
        labels=labels,
        model_version=model_version,
        db=db,
        alert=alert,
        source=source,
    )
    return fail_if_failed(report, fail_on)
