"""``prediction``: the model's output column, its drift and task-aware sanity checks.

The column is ``prediction.column`` of the rules; the task (``prediction.task``)
decides which parts apply. Each part is one result, its subject naming the part:

- ``drift``: the column's distribution against the reference's, computed by the
  ``drift`` check's own code (same ``method`` and ``threshold`` keys, same
  defaults); ``skipped`` without a reference. ``drift: false`` leaves it out.
- ``nulls``: the share of null predictions, graded by ``max_null_share``.
- ``range``: the share of predictions outside ``[min_value, max_value]``; ``failed``
  when any is. A binary classifier's scores default to ``[0, 1]``; otherwise the
  part is there only when a bound is set.
- ``positive_rate`` (binary): the share predicted positive (score at or above
  ``prediction.decision_threshold``, or equal to ``positive_label``); ``failed``
  outside ``positive_rate: {min, max}``, graded by ``max_positive_rate_change``
  against the reference's rate (estimated from its profile, see
  :mod:`modelhealth.checks._predictions`).
- ``class_shares`` (multiclass): each class's share; its value is the largest change
  of a class's share from the reference's, graded by ``max_class_share_change``.

A part without bounds is ``passed`` and still records its value, for history charts.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from modelhealth.checks.base import (
    Check,
    CheckContext,
    CheckError,
    CheckParams,
    CheckResult,
    Status,
    grade,
)
from modelhealth.checks.drift import DriftCheck, DriftMethod, DriftParams
from modelhealth.rules.models import CheckThreshold, Threshold

if TYPE_CHECKING:
    from modelhealth.checks._prediction_pass import PredictionPass, PredictionSummary
    from modelhealth.checks.base import Reference
    from modelhealth.rules.models import PredictionSpec, RuleSet

__all__ = ["PredictionCheck", "PredictionParams", "RateBounds"]


class RateBounds(BaseModel):
    """Absolute bounds on a share (0..1)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min: float | None = Field(default=None, ge=0, le=1)
    max: float | None = Field(default=None, ge=0, le=1)


class PredictionParams(CheckParams):
    """Drift of the prediction column plus range, nulls and class checks."""

    kind: Literal["prediction"] = "prediction"
    drift: bool = True
    method: DriftMethod = "auto"
    threshold: CheckThreshold | None = None
    max_null_share: Threshold | None = Threshold(warn=0.001, fail=0.01)
    min_value: float | None = None
    max_value: float | None = None
    positive_rate: RateBounds | None = None
    max_positive_rate_change: Threshold | None = None
    max_class_share_change: Threshold | None = None


class PredictionCheck(Check[PredictionParams]):
    """Checks the prediction column's distribution and sanity."""

    params_type = PredictionParams

    @classmethod
    def reads_rows(cls, params: CheckParams) -> bool:
        """From its row pass and the profile; rows only to cut segments."""
        return bool(params.segment_by)

    @classmethod
    def row_pass(
        cls, params: CheckParams, rule_set: RuleSet, reference: Reference | None
    ) -> PredictionPass | None:
        from modelhealth.checks._prediction_pass import PredictionPass

        assert isinstance(params, PredictionParams)
        if rule_set.prediction is None:
            return None  # run() says so
        return PredictionPass(rule_set.prediction, params.min_value, params.max_value)

    def run(self, ctx: CheckContext) -> list[CheckResult]:
        from modelhealth.checks import _predictions as pr  # imports pandas

        spec = ctx.rule_set.prediction
        if spec is None:
            raise CheckError("a prediction check needs 'prediction: {column: ...}'")
        column = spec.column
        if column not in ctx.profile.columns and column not in ctx.frame.columns:
            raise CheckError(f"the prediction column {column!r} is not in the run data")
        p = self.params
        summary, how = self._summary(ctx, spec)
        ref = ctx.reference.profile if ctx.reference is not None else None
        ref_col = ref.columns.get(column) if ref is not None else None
        results: list[CheckResult] = []
        if p.drift:
            results.append(self._drift(ctx, column, p.threshold))
        if p.max_null_share is not None:
            share = summary.nulls / summary.rows if summary.rows else 0.0
            status = grade(share, p.max_null_share)
            results.append(
                self.result(
                    status,
                    subject="nulls",
                    value=share,
                    threshold=p.max_null_share.model_dump(exclude_none=True),
                    metrics={"null_share": share},
                    details=how,
                    message=f"{share:.2%} of {column!r} is null",
                )
            )
        results += self._range(summary, column, spec.task, how)
        if spec.task == "binary_classification":
            rate = summary.positive_rate()
            ref_rate = pr.reference_positive_rate(ref_col, spec) if ref_col else None
            results.append(self._positive_rate(rate, ref_rate))
        elif spec.task == "multiclass_classification":
            ref_shares = pr.reference_class_shares(ref_col) if ref_col else None
            results.append(self._class_shares(summary.class_shares(), ref_shares))
        return results

    def _summary(
        self, ctx: CheckContext, spec: PredictionSpec
    ) -> tuple[PredictionSummary, dict[str, object]]:
        """The column's counts over every row when the engine made the pass, else
        over ``ctx.frame`` (then said so when that is a sample)."""
        from modelhealth.checks._prediction_pass import PredictionPass, summarize

        found = ctx.row_pass(self.params.id)
        if isinstance(found, PredictionPass) and ctx.segment is None and found.seen:
            return found.summary(), {}
        lo, hi = self.params.min_value, self.params.max_value
        how: dict[str, object] = (
            {"sampled": True, "run_rows": ctx.rows} if ctx.sampled else {}
        )
        return summarize(ctx.frame[spec.column], spec, lo, hi), how

    def _drift(
        self, ctx: CheckContext, column: str, threshold: CheckThreshold | None
    ) -> CheckResult:
        params = DriftParams(
            id=self.params.id,
            columns=[column],
            method=self.params.method,
            threshold=threshold,
            severity=self.params.severity,
        )
        found = DriftCheck(params).run(ctx)[0]
        # the column goes into details so the report can draw its distribution
        details = {**found.details, "column": column}
        return replace(found, kind="prediction", subject="drift", details=details)

    def _range(
        self,
        summary: PredictionSummary,
        column: str,
        task: str,
        how: dict[str, object],
    ) -> list[CheckResult]:
        lo, hi = self.params.min_value, self.params.max_value
        if lo is None and hi is None:
            scores = task == "binary_classification" and summary.range_score
            if not summary.numeric or not scores:
                return []
            lo, hi = 0.0, 1.0
        if not summary.numeric:
            raise CheckError(
                f"min_value/max_value need numeric predictions; {column!r} is "
                f"{summary.dtype}"
            )
        n, shown = summary.outside
        share = n / summary.rows if summary.rows else 0.0
        bounds = {k: v for k, v in (("min", lo), ("max", hi)) if v is not None}
        listed = ", ".join(v if isinstance(v, str) else f"{v:g}" for v in shown)
        return [
            self.result(
                Status.FAILED if n else Status.PASSED,
                subject="range",
                value=share,
                threshold=bounds,
                metrics={"out_of_range": float(n), "out_of_range_share": share},
                details=how,
                failures=tuple({"value": v} for v in shown),
                message=f"{n} predictions outside [{lo}, {hi}]: {listed}"
                if n
                else f"every prediction within [{lo}, {hi}]",
            )
        ]

    def _positive_rate(self, rate: float | None, ref_rate: float | None) -> CheckResult:
        p = self.params
        if rate is None:
            return self.result(
                Status.SKIPPED,
                subject="positive_rate",
                message="no prediction to count",
            )
        statuses = [Status.PASSED]
        notes = [f"{rate:.1%} predicted positive"]
        threshold: dict[str, float] = {}
        metrics = {"positive_rate": rate}
        bounds = p.positive_rate
        if bounds is not None:
            threshold.update(bounds.model_dump(exclude_none=True))
            if (bounds.min is not None and rate < bounds.min) or (
                bounds.max is not None and rate > bounds.max
            ):
                statuses.append(Status.FAILED)
                notes.append(f"outside [{bounds.min}, {bounds.max}]")
        if ref_rate is not None:
            change = abs(rate - ref_rate)
            metrics.update(reference_positive_rate=ref_rate, change=change)
            notes.append(f"reference {ref_rate:.1%}")
            if p.max_positive_rate_change is not None:
                statuses.append(grade(change, p.max_positive_rate_change))
                for k, v in p.max_positive_rate_change.model_dump(
                    exclude_none=True
                ).items():
                    threshold[f"change.{k}"] = v
        return self.result(
            max(statuses, key=lambda s: s.rank),
            subject="positive_rate",
            value=rate,
            threshold=threshold,
            metrics=metrics,
            message=", ".join(notes),
        )

    def _class_shares(
        self, shares: dict[str, float], ref_shares: dict[str, float] | None
    ) -> CheckResult:
        levels = self.params.max_class_share_change
        details: dict[str, object] = {"shares": shares}
        if ref_shares is None:
            top = ", ".join(f"{k} {v:.1%}" for k, v in list(shares.items())[:5])
            return self.result(
                Status.PASSED,
                subject="class_shares",
                details=details,
                message=f"class shares: {top} (no reference class counts to compare)",
            )
        changes = {
            k: shares.get(k, 0.0) - ref_shares.get(k, 0.0)
            for k in sorted(set(shares) | set(ref_shares))
        }
        worst = max(changes, key=lambda k: abs(changes[k]))
        value = abs(changes[worst])
        details.update(reference_shares=ref_shares, changes=changes)
        status = grade(value, levels) if levels is not None else Status.PASSED
        return self.result(
            status,
            subject="class_shares",
            value=value,
            threshold=levels.model_dump(exclude_none=True) if levels else {},
            metrics={"max_change": value},
            details=details,
            message=f"largest change: class {worst!r} {ref_shares.get(worst, 0.0):.1%} "
            f"-> {shares.get(worst, 0.0):.1%}",
        )
