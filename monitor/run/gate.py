"""The pre-deployment gate: may a candidate model version replace the current one?

:func:`evaluate_candidate` (``modelhealth gate``) takes holdout data scored by the
candidate (its prediction and label columns, as the rules name them), runs the
rules' ``metric`` checks whose ``stage`` is ``pre_deployment`` or ``both``, each
against its absolute bounds (``min``/``max``) and against the current baseline's
registered metrics (``max_drop``), and stores the verdict.

The verdict **passes** when no gate result ``failed`` or ``errored``; warnings and
skips (a ``max_drop`` with no baseline metric to compare with, as for a model's
first version) do not block. Verdicts are kept in their own table, not as runs, so a
rejected candidate never shows in the production model's health history.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from modelhealth import config
from modelhealth.checks.base import CheckContext, CheckResult, Status, utcnow
from modelhealth.checks.metric import metric_checks
from modelhealth.errors import DataError, UsageError
from modelhealth.rules.models import RuleSet
from modelhealth.run import runner
from modelhealth.run.inputs import DataArg, read_data
from modelhealth.run.reference import baseline_reference
from modelhealth.store.opening import using

if TYPE_CHECKING:
    from modelhealth.store import Store

__all__ = ["GateVerdict", "evaluate_candidate"]


@dataclass(frozen=True)
class GateVerdict:
    """The gate's decision on one candidate version.

    Attributes:
        model: the model's name.
        candidate_version: the version evaluated.
        passed: no gate check failed or errored.
        results: one result per gate metric check (per segment with segment_by).
        metrics: the candidate's metric values by name (whole holdout data).
        baseline_version: the baseline compared with, if one is registered.
        baseline_metrics: that baseline's pre-deployment metrics.
        row_count: rows of the holdout data.
        pk: the stored verdict's key.
    """

    model: str
    candidate_version: str
    passed: bool
    results: tuple[CheckResult, ...]
    metrics: Mapping[str, float] = field(default_factory=dict)
    baseline_version: str | None = None
    baseline_metrics: Mapping[str, float] = field(default_factory=dict)
    row_count: int = 0
    created_at: datetime = field(default_factory=utcnow)
    pk: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The machine-readable verdict (``modelhealth gate --json``)."""
        return {
            "model": self.model,
            "candidate_version": self.candidate_version,
            "passed": self.passed,
            "baseline_version": self.baseline_version,
            "metrics": dict(self.metrics),
            "baseline_metrics": dict(self.baseline_metrics),
            "row_count": self.row_count,
            "created_at": self.created_at.isoformat(),
            "results": [r.to_dict() for r in self.results],
        }


def evaluate_candidate(
    *,
    rules: RuleSet | str | os.PathLike[str],
    candidate_version: str,
    data: DataArg,
    db: str | Store | None = None,
    now: datetime | None = None,
) -> GateVerdict:
    """Evaluate a candidate version on holdout data and store the verdict.

    Args:
        rules: the model's rules file or RuleSet.
        candidate_version: the version being considered for deployment.
        data: holdout data with the candidate's predictions and the labels.
        db: store URL, SQLite path or open Store.
        now: when the evaluation happens (tz-aware).

    Returns:
        The verdict, stored (``pk`` set).

    Raises:
        UsageError: the rules have no pre-deployment metric check.
        DataError: the data is unreadable, empty, or lacks the prediction or label
            column.
        StorageError: the store is unreachable.
    """
    from modelhealth.checks.profiling import profile_frame

    rule_set = config.as_rule_set(rules)
    gate = metric_checks(rule_set, "pre_deployment")
    if not gate:
        raise UsageError(
            f"the rules of model {rule_set.model!r} have no metric check with "
            "stage: pre_deployment or both, so the gate has nothing to evaluate"
        )
    frame = read_data(data, "holdout data")
    if frame.empty:
        raise DataError("the holdout data has no rows")
    for what, spec in (("prediction", rule_set.prediction), ("label", rule_set.label)):
        if spec is None:
            raise UsageError(f"the gate needs '{what}: {{column: ...}}' in the rules")
        if spec.column not in frame.columns:
            raise DataError(f"the holdout data has no {what} column {spec.column!r}")
    when = now or utcnow()
    with using(db) as store:
        wanted = rule_set.reference.baseline
        baseline = store.baseline(
            rule_set.model, None if wanted in (None, "latest") else wanted
        )
        reference = None if baseline is None else baseline_reference(baseline)
        ctx = CheckContext(
            rule_set=rule_set.model_copy(update={"checks": gate}),
            run_id=f"gate:{candidate_version}",
            frame=frame,
            profile=profile_frame(
                frame, reference=reference.profile if reference else None
            ),
            reference=reference,
            model_version=candidate_version,
            now=when,
            stage="pre_deployment",
        )
        results = tuple(runner.run_checks(ctx))
        passed = not any(r.status in (Status.FAILED, Status.ERRORED) for r in results)
        metrics = {
            str(r.details["metric"]): float(r.value)
            for r in results
            if r.subject is None and r.value is not None and "metric" in r.details
        }
        verdict = GateVerdict(
            model=rule_set.model,
            candidate_version=candidate_version,
            passed=passed,
            results=results,
            metrics=metrics,
            baseline_version=baseline.version if baseline else None,
            baseline_metrics=dict(baseline.metrics) if baseline else {},
            row_count=len(frame),
            created_at=when,
        )
        pk = store.save_gate_verdict(
            rule_set.model,
            candidate_version=candidate_version,
            baseline_version=verdict.baseline_version,
            passed=passed,
            row_count=len(frame),
            metrics=metrics,
            results=results,
            details={"data": str(data)} if isinstance(data, (str, os.PathLike)) else {},
            created_at=when,
        )
    return replace(verdict, pk=pk)
