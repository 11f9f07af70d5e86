"""``metric``: a model-quality metric on labelled rows, against bounds and the baseline.

The metric (accuracy, precision, recall, F1, ROC AUC, PR AUC, log loss, Brier; MAE,
RMSE, MAPE, R2; see :mod:`modelhealth.checks._metrics` for how columns are read) is
computed on
the rows that have both a prediction and a label. One result (subject ``None``), whose
value is the metric, ``failed`` when any bound is crossed:

- ``min`` / ``max``: absolute bounds;
- ``max_drop``: how much worse than the baseline's pre-deployment value (registered
  with ``modelhealth baseline --metrics``) the metric may be, in the metric's units.
  "Worse" is lower for accuracy-like metrics and R2, higher for losses and errors.

**Stages.** ``post_deployment`` checks run on production runs: labels that come
with the run, or later through ``modelhealth labels`` (the run's predictions are
kept until then, and the result reads ``skipped: labels not available yet``).
``pre_deployment`` checks run only in ``modelhealth gate``, on a candidate's holdout
data, against the current baseline. ``both`` runs in either.

**Against a champion.** When the gate has the current model's predictions on the
same rows (``ctx.champion``), ``max_drop`` bounds the paired difference instead,
with an interval at ``confidence`` (:mod:`modelhealth.checks._champion`).
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import Field, model_validator

from modelhealth.checks._metric_names import HIGHER_IS_BETTER, MetricName
from modelhealth.checks.base import (
    Check,
    CheckContext,
    CheckError,
    CheckParams,
    CheckResult,
    Status,
)
from modelhealth.rules.models import RuleSet

__all__ = ["MetricCheck", "MetricParams", "MetricStage"]

MetricStage = Literal["post_deployment", "pre_deployment", "both"]


class MetricParams(CheckParams):
    """A metric with absolute bounds and a bound on its drop from the baseline."""

    kind: Literal["metric"] = "metric"
    metric: MetricName
    stage: MetricStage = "post_deployment"
    min: float | None = None
    max: float | None = None
    max_drop: float | None = Field(default=None, ge=0)
    min_rows: int = Field(default=1, ge=1)
    confidence: float = Field(default=0.95, gt=0.5, lt=1)
    resamples: int = Field(default=1000, ge=100, le=100_000)

    @model_validator(mode="after")
    def _some_bound(self) -> MetricParams:
        levels = (self.min, self.max, self.max_drop, self.threshold)
        if all(level is None for level in levels):
            raise ValueError("metric needs min, max, max_drop or threshold.history")
        return self


def metric_checks(
    rule_set: RuleSet, stage: Literal["post_deployment", "pre_deployment"]
) -> list[MetricParams]:
    """The rules' enabled ``metric`` checks that run at ``stage`` (or ``both``).

    The one definition of "the checks late labels evaluate" (post-deployment) and
    "the checks the gate evaluates" (pre-deployment).
    """
    return [
        c
        for c in rule_set.checks
        if isinstance(c, MetricParams) and c.enabled and c.stage in (stage, "both")
    ]


class MetricCheck(Check[MetricParams]):
    """Computes the metric on labelled rows and grades it."""

    params_type = MetricParams

    def run(self, ctx: CheckContext) -> list[CheckResult]:
        from modelhealth.checks._metrics import compute  # imports scikit-learn

        p = self.params
        if p.stage not in (ctx.stage, "both"):
            return []  # a pre-deployment check on a production run, or vice versa
        spec, label = ctx.rule_set.prediction, ctx.rule_set.label
        if spec is None or label is None:
            raise CheckError(
                "a metric check needs 'prediction: {column: ...}' and "
                "'label: {column: ...}' in the rules"
            )
        frame = ctx.frame
        if spec.column not in frame.columns:
            raise CheckError(
                f"the prediction column {spec.column!r} is not in the run data"
            )
        if label.column not in frame.columns or frame[label.column].isna().all():
            hint = (
                f"; attach them with 'modelhealth labels --run-id {ctx.run_id} "
                f"--labels FILE --key {label.key}'"
                if label.key
                else ""
            )
            return [
                self.result(Status.SKIPPED, message=f"labels not available yet{hint}")
            ]
        both = frame[spec.column].notna() & frame[label.column].notna()
        if ctx.champion is not None:
            both &= frame[ctx.champion].notna()
        rows = int(both.sum())
        if rows < p.min_rows:
            return [
                self.result(
                    Status.SKIPPED,
                    metrics={"rows": float(rows)},
                    message=f"{rows} labelled rows, fewer than min_rows {p.min_rows}",
                )
            ]
        if ctx.champion is not None:
            from modelhealth.checks._champion import grade_paired

            return [grade_paired(self, ctx, both)]
        value = compute(
            p.metric, frame.loc[both, label.column], frame.loc[both, spec.column], spec
        )
        return [self._grade(ctx, value, rows, len(frame) - rows)]

    def _grade(
        self, ctx: CheckContext, value: float, rows: int, unlabelled: int
    ) -> CheckResult:
        p = self.params
        if not math.isfinite(value):  # e.g. r2 of one row: graded, NaN would pass
            return self.result(
                Status.ERRORED,
                message=f"{p.metric} is undefined on these {rows} labelled rows "
                "(too few rows or a single class?)",
                metrics={"rows": float(rows)},
            )
        name = p.metric
        threshold: dict[str, float] = {}
        metrics: dict[str, float] = {name: value, "rows": float(rows)}
        broken: list[str] = []
        notes: list[str] = []
        if p.min is not None:
            threshold["min"] = p.min
            if value < p.min:
                broken.append(f"< min {p.min:g}")
        if p.max is not None:
            threshold["max"] = p.max
            if value > p.max:
                broken.append(f"> max {p.max:g}")
        baseline = ctx.reference.metrics.get(name) if ctx.reference else None
        if p.max_drop is not None:
            threshold["max_drop"] = p.max_drop
            if baseline is None:
                notes.append(f"no baseline {name} to compare with")
            else:
                drop = (
                    baseline - value if name in HIGHER_IS_BETTER else value - baseline
                )
                metrics.update(baseline=baseline, drop=drop)
                where = ctx.reference.label if ctx.reference else "baseline"
                text = f"drop {drop:.3f} from {where} ({baseline:.3f})"
                if drop > p.max_drop + 1e-12:
                    broken.append(f"{text} > max_drop {p.max_drop:g}")
                else:
                    notes.append(text)
        graded = p.min is not None or p.max is not None or "drop" in metrics
        graded = graded or p.threshold is not None  # the history band grades it
        status = Status.FAILED if broken else Status.PASSED
        if not graded:
            status = Status.SKIPPED
        parts = [f"{name} {value:.3f}", *broken, *notes]
        return self.result(
            status,
            value=value,
            threshold=threshold,
            metrics=metrics,
            details={
                "metric": name,
                "stage": ctx.stage,
                "labelled_rows": rows,
                "unlabelled_rows": unlabelled,
                "baseline_version": ctx.reference.version if ctx.reference else None,
            },
            message=", ".join(parts) + f" on {rows:,} labelled rows",
        )
