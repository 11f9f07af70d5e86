"""The outcome of checking one run: what the runner returns and the store saves."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from modelhealth.checks.base import CheckResult, Status
from modelhealth.errors import ChecksFailed, FailOn
from modelhealth.rules.models import Severity

__all__ = ["FailOn", "RunReport", "failing"]


_BAD = (Status.FAILED, Status.ERRORED)


def failing(
    results: tuple[CheckResult, ...] | list[CheckResult],
    fail_on: FailOn | str = FailOn.ANY,
) -> list[CheckResult]:
    """Results that failed or errored with severity at or above ``fail_on``.

    ``any`` (the default) counts every failed or errored result whatever its
    severity; with ``fail_on="warning"``, ``warned`` results of warning-or-worse
    severity count too; ``never`` returns nothing. (``--fail-on`` of ``check`` and
    ``gate``.)
    """
    fail_on = FailOn(fail_on)
    if fail_on is FailOn.NEVER:
        return []
    floor = 0 if fail_on is FailOn.ANY else Severity(fail_on.value).rank
    warned = fail_on in (FailOn.WARNING, FailOn.INFO)
    bad = (*_BAD, Status.WARNED) if warned else _BAD
    return [r for r in results if r.status in bad and r.severity.rank >= floor]


@dataclass(frozen=True)
class RunReport:
    """One checked run.

    Attributes:
        model: the model's name.
        run_id: the pipeline's id for the run.
        results: every result, in check order.
        profile: the run's profile as JSON (``Profile.to_dict()``).
        row_count: rows in the run's data.
        model_version: the version that produced the run, if given.
        reference: a label for what it was compared with (``baseline v1``).
        source: who asked (``cli``, ``python``, ``api``, ``scheduler``).
        details: JSON-able extras (input paths, ...).
        replaced: this run id was stored already; its results were replaced.
        newer_run: the model's latest run when it is not this one (this run is
            in the past: it changed no incident and sent no alert).
    """

    model: str
    run_id: str
    results: tuple[CheckResult, ...]
    profile: Mapping[str, Any]
    row_count: int
    started_at: datetime
    finished_at: datetime
    model_version: str | None = None
    reference: str | None = None
    source: str = "python"
    details: Mapping[str, Any] = field(default_factory=dict)
    run_pk: int | None = None
    replaced: bool = False
    newer_run: str | None = None

    @property
    def status(self) -> Status:
        """The headline: the worst status of the graded results, ``skipped`` only
        when every result was skipped (``passed`` when there are none)."""
        graded = [r.status for r in self.results if r.status is not Status.SKIPPED]
        if self.results and not graded:
            return Status.SKIPPED
        return max(graded, key=lambda s: s.rank, default=Status.PASSED)

    def counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in Status}
        for r in self.results:
            out[r.status.value] += 1
        return out

    def failed(self, fail_on: FailOn | str = FailOn.ANY) -> list[CheckResult]:
        """Results that failed or errored with severity at or above ``fail_on``.

        ``any`` takes every failed or errored result; with ``fail_on="warning"``,
        ``warned`` results of warning-or-worse severity count too; ``never`` returns
        nothing.
        """
        return failing(self.results, fail_on)

    def ok(self, fail_on: FailOn | str = FailOn.ANY) -> bool:
        return not self.failed(fail_on)

    def raise_for_status(self, fail_on: FailOn | str = FailOn.ANY) -> RunReport:
        """Raise :class:`~modelhealth.errors.ChecksFailed` if anything at or above
        ``fail_on`` failed; return ``self`` otherwise, for chaining."""
        failed = self.failed(fail_on)
        if failed:
            raise ChecksFailed(self.model, self.run_id, failed)
        return self

    def worst_first(self) -> list[CheckResult]:
        return sorted(
            self.results, key=lambda r: (-r.status.rank, -r.severity.rank, r.check_id)
        )

    def to_dict(self) -> dict[str, Any]:
        """The machine-readable report (``modelhealth check --json``)."""
        return {
            "model": self.model,
            "run_id": self.run_id,
            "model_version": self.model_version,
            "status": self.status.value,
            "row_count": self.row_count,
            "reference": self.reference,
            "run_time": self.started_at.isoformat(),
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "replaced": self.replaced,
            "latest": self.newer_run is None,
            "counts": self.counts(),
            # worst first, as the summary lists them
            "results": [r.to_dict() for r in self.worst_first()],
        }
