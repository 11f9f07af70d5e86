"""``estimated_metric``: a classifier's performance estimated without labels.

Confidence-based performance estimation (see :mod:`modelhealth.checks._cbpe`): when
the baseline is registered, its scores are calibrated against its labels (isotonic
regression) and the calibration is stored with the baseline (its details'
``fitted`` entry); each run's calibrated scores give its expected confusion matrix
and from it the estimated ``metric``, with a sampling band. One result (subject
``None``, or the segment) whose value is the estimate, graded with ``min``, ``max``
and ``max_drop`` like ``metric``; ``max_drop`` compares with the baseline's
pre-deployment value (``--metrics``), or else with the value realized on the
baseline's own rows. When the run carries labels, the realized value is stored
beside the estimate (``metrics.realized``). Multiclass models name each class's
probability column in the rules (``prediction: {task: multiclass_classification,
scores: {class: column}}``); see :mod:`modelhealth.checks._cbpe_multiclass`.

The estimate holds under covariate shift (the inputs and scores move, the meaning
of a score does not) and is blind to concept shift (the same score now means
another chance of the outcome): pair it with a ``metric`` check on late labels.

A baseline without the label or prediction column, with classes instead of scores,
with fewer than 100 labelled rows or a single class stores the reason instead of a
calibration, and every run reports it ``errored``; a window reference is
``skipped``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import Field, model_validator

from modelhealth.checks.base import (
    Check,
    CheckContext,
    CheckError,
    CheckParams,
    CheckResult,
    Status,
)
from modelhealth.checks.fitted import FIT_ERROR

if TYPE_CHECKING:
    import pandas as pd

    from modelhealth.rules.models import RuleSet

__all__ = ["EstimatedMetricCheck", "EstimatedMetricParams"]

EstimatedName = Literal["roc_auc", "accuracy", "precision", "recall", "f1"]
Z95 = 1.96


class EstimatedMetricParams(CheckParams):
    """An estimated metric with absolute bounds and a bound on its drop."""

    kind: Literal["estimated_metric"] = "estimated_metric"
    metric: EstimatedName
    min: float | None = None
    max: float | None = None
    max_drop: float | None = Field(default=None, ge=0)
    min_rows: int = Field(default=100, ge=1)

    @model_validator(mode="after")
    def _some_bound(self) -> EstimatedMetricParams:
        levels = (self.min, self.max, self.max_drop, self.threshold)
        if all(level is None for level in levels):
            raise ValueError(
                "estimated_metric needs min, max, max_drop or threshold.history"
            )
        return self


class EstimatedMetricCheck(Check[EstimatedMetricParams]):
    """Estimates the metric from calibrated scores and grades the estimate."""

    params_type = EstimatedMetricParams
    needs_reference = True

    @classmethod
    def fit_reference(
        cls, params: CheckParams, frame: pd.DataFrame, rule_set: RuleSet
    ) -> dict[str, Any] | None:
        if _multiclass(rule_set):
            from modelhealth.checks import _cbpe_multiclass

            return _cbpe_multiclass.fit(frame, rule_set)
        from modelhealth.checks._cbpe import fit

        return fit(frame, rule_set)

    def run(self, ctx: CheckContext) -> list[CheckResult]:
        from modelhealth.checks._cbpe import band, estimate, probabilities, scores

        p, ref = self.params, ctx.reference
        if ref is None or ref.source != "baseline":
            return [self._skip("estimated_metric needs a baseline reference")]
        state = ref.fitted.get(p.id)
        if state is None:
            return [
                self._skip(
                    f"{ref.label} was registered before this check existed; "
                    "register the baseline again (with labels) to calibrate it"
                )
            ]
        if FIT_ERROR in state:
            raise CheckError(f"could not calibrate on {ref.label}: {state[FIT_ERROR]}")
        if _multiclass(ctx.rule_set):
            return [self._run_multiclass(ctx, state)]
        column = scores(ctx.frame, ctx.rule_set, "the run data").dropna()
        rows = len(column)
        if rows < p.min_rows:
            return [self._skip(f"{rows} scored rows, fewer than min_rows {p.min_rows}")]
        assert ctx.rule_set.prediction is not None
        cut = ctx.rule_set.prediction.decision_threshold
        score = column.to_numpy(dtype=np.float64)
        prob = probabilities(score, state["calibration"])
        found = estimate(score, prob, cut)
        value = float(found[p.metric])
        if not math.isfinite(value):
            raise CheckError(
                f"estimated {p.metric} is undefined on this run (no row is expected "
                "to be predicted or labelled positive)"
            )
        sd = band(p.metric, score, prob, cut, state["calibration"])
        metrics = {
            p.metric: value,
            "band_lower": value - Z95 * sd,
            "band_upper": value + Z95 * sd,
            "rows": float(rows),
            **self._realized(ctx),
        }
        baseline = ref.metrics.get(p.metric, state["realized"].get(p.metric))
        return [self._grade(value, metrics, baseline, found, ref.label)]

    def _run_multiclass(self, ctx: CheckContext, state: dict[str, Any]) -> CheckResult:
        from modelhealth.checks._cbpe_multiclass import run_estimate

        p, ref = self.params, ctx.reference
        assert ref is not None
        if "calibrations" not in state:
            raise CheckError(
                f"{ref.label} was calibrated for a binary model; register the "
                "baseline again with the multiclass rules"
            )
        found, sd, rows, realized = run_estimate(
            ctx.frame, ctx.rule_set, state, p.metric
        )
        if rows < p.min_rows:
            return self._skip(f"{rows} scored rows, fewer than min_rows {p.min_rows}")
        value = float(found[p.metric])
        if not math.isfinite(value):
            raise CheckError(f"estimated {p.metric} is undefined on this run")
        metrics = {
            p.metric: value,
            "band_lower": value - Z95 * sd,
            "band_upper": value + Z95 * sd,
            "rows": float(rows),
        }
        if realized is not None:
            metrics["realized"] = realized
        baseline = ref.metrics.get(p.metric, state["realized"].get(p.metric))
        return self._grade(value, metrics, baseline, found, ref.label)

    def _realized(self, ctx: CheckContext) -> dict[str, float]:
        from modelhealth.checks._metrics import compute

        label, spec = ctx.rule_set.label, ctx.rule_set.prediction
        assert spec is not None
        if label is None or label.column not in ctx.frame.columns:
            return {}
        frame = ctx.frame
        both = frame[spec.column].notna() & frame[label.column].notna()
        if not both.any():
            return {}
        try:
            value = compute(
                self.params.metric,
                frame.loc[both, label.column],
                frame.loc[both, spec.column],
                spec,
            )
        except CheckError:  # e.g. one class among few labels: no realized value
            return {}
        return {"realized": value, "labelled_rows": float(both.sum())}

    def _grade(
        self,
        value: float,
        metrics: dict[str, float],
        baseline: float | None,
        found: dict[str, Any],
        where: str,
    ) -> CheckResult:
        p = self.params
        threshold: dict[str, float] = {}
        broken: list[str] = []
        if p.min is not None:
            threshold["min"] = p.min
            if value < p.min:
                broken.append(f"< min {p.min:g}")
        if p.max is not None:
            threshold["max"] = p.max
            if value > p.max:
                broken.append(f"> max {p.max:g}")
        if p.max_drop is not None and baseline is not None:
            threshold["max_drop"] = p.max_drop
            drop = baseline - value
            metrics.update(baseline=baseline, drop=drop)
            text = f"drop {drop:.3f} from {where} ({baseline:.3f})"
            broken += [f"{text} > max_drop {p.max_drop:g}"] if drop > p.max_drop else []
        low, high = metrics["band_lower"], metrics["band_upper"]
        parts = [f"estimated {p.metric} {value:.3f} [{low:.3f}, {high:.3f}]", *broken]
        if "realized" in metrics:
            parts.append(f"realized {metrics['realized']:.3f}")
        return self.result(
            Status.FAILED if broken else Status.PASSED,
            value=value,
            threshold=threshold,
            metrics=metrics,
            details={
                "metric": p.metric,
                "method": "cbpe",
                "estimates": {k: v for k, v in found.items() if k != "confusion"},
                "expected_confusion": found["confusion"],
            },
            message=", ".join(parts) + f" on {int(metrics['rows']):,} scored rows",
        )

    def _skip(self, why: str) -> CheckResult:
        return self.result(Status.SKIPPED, message=why)


def _multiclass(rule_set: RuleSet) -> bool:
    spec = rule_set.prediction
    return spec is not None and spec.task == "multiclass_classification"
