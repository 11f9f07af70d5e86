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

**Every row.** On a run the engine scanned, the metric comes from sufficient
statistics of every labelled row (:mod:`modelhealth.checks._metric_pass`), so a
run larger than the engine's sample is measured whole. A segment, the champion
comparison and a context built around a frame compute on ``ctx.frame``; when that
frame is a sample of the run, the result's details say so.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from modelhealth.checks._metric_grade import grade_metric
from modelhealth.checks._metric_names import MetricName
from modelhealth.checks.base import (
    Check,
    CheckContext,
    CheckError,
    CheckParams,
    CheckResult,
    Status,
)
from modelhealth.rules.models import RuleSet

if TYPE_CHECKING:
    from modelhealth.checks._metric_pass import MetricPass
    from modelhealth.checks.base import Reference

__all__ = ["MetricCheck", "MetricParams", "MetricStage"]

MetricStage = Literal["post_deployment", "pre_deployment", "both"]

TIE_LIMIT = 0.001
"""The most binned scores may move ROC AUC before the whole frame is used."""


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

    @classmethod
    def row_pass(
        cls, params: CheckParams, rule_set: RuleSet, reference: Reference | None
    ) -> MetricPass | None:
        from modelhealth.checks._metric_pass import MetricPass

        spec, label = rule_set.prediction, rule_set.label
        if spec is None or label is None:
            return None  # run() says what is missing
        return MetricPass(spec, label.column)

    def run(self, ctx: CheckContext) -> list[CheckResult]:
        from modelhealth.checks._metric_pass import MetricPass

        p = self.params
        if p.stage not in (ctx.stage, "both"):
            return []  # a pre-deployment check on a production run, or vice versa
        spec, label = ctx.rule_set.prediction, ctx.rule_set.label
        if spec is None or label is None:
            raise CheckError(
                "a metric check needs 'prediction: {column: ...}' and "
                "'label: {column: ...}' in the rules"
            )
        found = ctx.row_pass(p.id)
        if isinstance(found, MetricPass) and ctx.segment is None and not ctx.champion:
            early = self._unready(ctx, found.seen_prediction, found.labels_present)
            if early or found.labelled < p.min_rows:
                return early or [self._few(found.labelled)]
            value, how = found.value(p.metric), found.details(p.metric)
            coarse = how.get("roc_auc_tie_bound", 0.0) > TIE_LIMIT
            if not coarse or ctx.sampled or ctx.rows != found.rows:
                return [grade_metric(self, ctx, value, found.labelled, found.rows, how)]
            # the bins are too coarse for these scores, and the frame is the run
            return self._on_frame(ctx, {**how, "score_counts": "frame"})
        return self._on_frame(ctx, {})

    def _on_frame(self, ctx: CheckContext, how: dict[str, object]) -> list[CheckResult]:
        p, frame = self.params, ctx.frame
        spec, label = ctx.rule_set.prediction, ctx.rule_set.label
        assert spec is not None
        assert label is not None
        labels = frame[label.column].notna().sum() if label.column in frame else 0
        early = self._unready(ctx, spec.column in frame.columns, int(labels))
        if early:
            return early
        both = frame[spec.column].notna() & frame[label.column].notna()
        if ctx.champion is not None:
            both &= frame[ctx.champion].notna()
        rows = int(both.sum())
        if rows < p.min_rows:
            return [self._few(rows)]
        if ctx.sampled:
            how = {**how, "sampled": True, "run_rows": ctx.rows}
        if ctx.champion is not None:
            from modelhealth.checks._champion import grade_paired

            graded = grade_paired(self, ctx, both)
            return [replace(graded, details={**graded.details, **how})]
        from modelhealth.checks._metrics import compute  # imports scikit-learn

        y, predicted = frame.loc[both, label.column], frame.loc[both, spec.column]
        value = compute(p.metric, y, predicted, spec)
        return [grade_metric(self, ctx, value, rows, len(frame), how)]

    def _unready(
        self, ctx: CheckContext, seen: bool, labels: int
    ) -> list[CheckResult] | None:
        """``skipped`` while no label has arrived; an error without predictions."""
        spec, label = ctx.rule_set.prediction, ctx.rule_set.label
        assert spec is not None
        assert label is not None
        if not seen:
            raise CheckError(
                f"the prediction column {spec.column!r} is not in the run data"
            )
        if labels:
            return None
        hint = (
            f"; attach them with 'modelhealth labels --run-id {ctx.run_id} "
            f"--labels FILE --key {label.key}'"
            if label.key
            else ""
        )
        return [self.result(Status.SKIPPED, message=f"labels not available yet{hint}")]

    def _few(self, rows: int) -> CheckResult:
        return self.result(
            Status.SKIPPED,
            metrics={"rows": float(rows)},
            message=f"{rows} labelled rows, fewer than min_rows {self.params.min_rows}",
        )
