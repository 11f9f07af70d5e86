"""Every error modelhealth raises on purpose, and the exit code each one means.

The tree::

    Exception
     +-- modelhealth.rules.errors.RulesError      a rules file is wrong (file:line:col
     per problem)
     +-- modelhealth.checks.base.CheckError       a check could not be computed:
     ``errored`` result
     +-- modelhealth.alerts.base.DeliveryError    a channel could not deliver: the
     alert waits
     +-- modelhealth.errors.MonitorError  the service's own errors
          +-- UsageError              a command was called wrong (exit 2)
          |    +-- NotFound           no such incident or silence (exit 2)
          |    +-- integrations._common.UnsupportedVersion  an orchestrator absent
          |        or outside an integration's range (also an ImportError)
          +-- DataError               the data is missing, unreadable or empty (exit 3)
          +-- StorageError            the store is unreachable or failed (exit 3)
          +-- ChecksFailed            raise_for_status found failed checks (exit 1)
               +-- integrations._common.TaskChecksFailed  the same inside an
                   orchestrator's task: one paragraph with the report link

A user mistake ends in one of these with a one-paragraph message; anything else is a
bug and shows its traceback.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from modelhealth.checks.base import CheckResult

__all__ = [
    "ChecksFailed",
    "DataError",
    "ExitCode",
    "FailOn",
    "MonitorError",
    "NotFound",
    "StorageError",
    "UsageError",
]


class FailOn(str, enum.Enum):
    """The severity at or above which a failed check fails the pipeline
    (``--fail-on``, :meth:`RunReport.raise_for_status`); ``any`` (the default) fails
    on every failed or errored check whatever its severity, so that a run whose
    headline says FAILED never exits 0; ``never`` fails nothing."""

    ANY = "any"
    CRITICAL = "critical"
    WARNING = "warning"
    INFO = "info"
    NEVER = "never"


class ExitCode(enum.IntEnum):
    """Exit codes of every ``modelhealth`` command (documented in docs/cli.md)."""

    OK = 0
    """Nothing at or above ``--fail-on`` failed."""
    CHECKS_FAILED = 1
    """A check at or above ``--fail-on`` failed or errored."""
    USAGE = 2
    """The command or the rules file is wrong."""
    NOT_CHECKED = 3
    """The run could not be checked: data missing or unreadable, store unreachable."""


class MonitorError(Exception):
    """Base of the service's own errors; ``exit_code`` says how the CLI ends."""

    exit_code: ExitCode = ExitCode.NOT_CHECKED


class UsageError(MonitorError):
    exit_code = ExitCode.USAGE


class NotFound(UsageError):
    """A command or request names an incident or a silence the store does not have."""


class DataError(MonitorError):
    """The run's data could not be read. The message names the file and the cause."""

    exit_code = ExitCode.NOT_CHECKED


class StorageError(MonitorError):
    """The store could not be reached or refused a write."""

    exit_code = ExitCode.NOT_CHECKED

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"the store at {url!r} is not usable: {reason}")


class ChecksFailed(MonitorError):
    """Raised by ``RunReport.raise_for_status`` when checks failed."""

    exit_code = ExitCode.CHECKS_FAILED

    def __init__(self, model: str, run_id: str, failed: Sequence[CheckResult]) -> None:
        self.failed = list(failed)
        names = ", ".join(
            f"{r.check_id}" + (f"[{r.subject}]" if r.subject else "")
            for r in failed[:5]
        )
        more = f" and {len(failed) - 5} more" if len(failed) > 5 else ""
        super().__init__(
            f"model {model!r} run {run_id!r}: "
            f"{len(failed)} check(s) failed: {names}{more}"
        )
