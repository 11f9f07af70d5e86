"""``quality``: per column, the shares of nulls, out-of-range and unseen values.

For each selected column three shares of the run's rows are measured:

- ``nulls``: null (and, for numbers, infinite) values;
- ``out_of_range``: numeric values below the reference's minimum or above its maximum;
- ``unseen``: categorical values that the reference's profile never saw (a reference
  that kept only its most frequent categories by name counts its rarer ones as
  unseen, so give such columns a looser bound). A column whose reference values
  are all distinct (an id) has no unseen measure.

Each measure has two optional bounds (warn/fail thresholds): ``max``, on the share
itself, and ``max_increase``, on the share minus the reference's own share (the
reference's null share; 0 for the other two measures, by construction). One result per
column (subject = column) takes the worst status of its measures; its ``metrics`` hold
every share. Without a reference only the absolute null bound is graded.
"""

from __future__ import annotations

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
from modelhealth.checks.profile import ColumnProfile
from modelhealth.rules.models import Threshold

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["QualityBounds", "QualityCheck", "QualityParams"]

Measure = Literal["nulls", "out_of_range", "unseen"]


class QualityBounds(BaseModel):
    """The two bounds of one measure: on the share, and on its increase."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max: Threshold | None = None
    max_increase: Threshold | None = None


class QualityParams(CheckParams):
    """Bounds on the shares of nulls, out-of-range values and unseen categories."""

    kind: Literal["quality"] = "quality"
    columns: Literal["*"] | list[str] = "*"
    exclude: list[str] = Field(default_factory=list)
    nulls: QualityBounds = QualityBounds(max_increase=Threshold(warn=0.05, fail=0.2))
    out_of_range: QualityBounds = QualityBounds(max=Threshold(warn=0.01, fail=0.05))
    unseen: QualityBounds = QualityBounds(max=Threshold(warn=0.01, fail=0.05))


def _has_categories(ref: ColumnProfile | None) -> bool:
    """A categorical reference column whose values repeat (not an id column)."""
    if ref is None or ref.kind not in ("categorical", "boolean") or not ref.count:
        return False
    return ref.distinct < ref.count or ref.count == 1


class QualityCheck(Check[QualityParams]):
    """Measures and grades every selected column."""

    params_type = QualityParams

    def run(self, ctx: CheckContext) -> list[CheckResult]:
        ref = ctx.reference.profile if ctx.reference is not None else None
        if len(ctx.frame) == 0:  # shares of no rows are not defined
            return [
                self.result(
                    Status.SKIPPED, message="the run has no rows; no shares to measure"
                )
            ]
        results = []
        for column in self._columns(ctx):
            if column not in ctx.frame.columns:
                raise CheckError(f"column {column!r} is not in the run data")
            ref_col = ref.columns.get(column) if ref is not None else None
            results.append(self._column(ctx.frame[column], column, ref_col))
        return results

    def _columns(self, ctx: CheckContext) -> list[str]:
        excluded = set(self.params.exclude)
        if self.params.columns != "*":
            return [c for c in self.params.columns if c not in excluded]
        if ctx.rule_set.label is not None:
            excluded.add(ctx.rule_set.label.column)
        return [str(c) for c in ctx.frame.columns if str(c) not in excluded]

    def _column(
        self, series: pd.Series, column: str, ref: ColumnProfile | None
    ) -> CheckResult:
        import numpy as np
        import pandas as pd

        rows = len(series)
        shares: dict[Measure, float] = {}
        reference: dict[Measure, float] = {}
        samples: list[dict[str, object]] = []
        values = series
        if pd.api.types.is_numeric_dtype(
            series.dtype
        ) and not pd.api.types.is_bool_dtype(series.dtype):
            x = series.to_numpy(dtype=np.float64, na_value=np.nan)
            shares["nulls"] = (
                float(np.count_nonzero(~np.isfinite(x))) / rows if rows else 0.0
            )
            if ref is not None and ref.kind == "numeric" and ref.count:
                lo, hi = float(ref.min), float(ref.max)  # type: ignore[arg-type]
                outside = np.isfinite(x) & ((x < lo) | (x > hi))
                shares["out_of_range"] = float(np.count_nonzero(outside)) / rows
                samples += [
                    {"measure": "out_of_range", "value": float(v)}
                    for v in np.unique(x[outside])[:5]
                ]
        else:
            nulls = series.isna()
            shares["nulls"] = float(nulls.sum()) / rows if rows else 0.0
            if _has_categories(ref):
                assert ref is not None
                values = series[~nulls]
                unseen = ~values.astype(str).isin(set(ref.categories))
                shares["unseen"] = float(unseen.sum()) / rows
                samples += [
                    {"measure": "unseen", "value": str(v)}
                    for v in pd.unique(values[unseen])[:5]
                ]
        if ref is not None:
            total = ref.count + ref.nulls + ref.infinite
            reference["nulls"] = (ref.nulls + ref.infinite) / total if total else 0.0
            reference["out_of_range"] = reference["unseen"] = 0.0
        return self._grade(column, shares, reference, samples)

    def _grade(
        self,
        column: str,
        shares: dict[Measure, float],
        reference: dict[Measure, float],
        samples: list[dict[str, object]],
    ) -> CheckResult:
        statuses: list[Status] = []
        notes: list[str] = []
        threshold: dict[str, float] = {}
        metrics: dict[str, float] = {f"{m}_share": v for m, v in shares.items()}
        for measure, share in shares.items():
            bounds: QualityBounds = getattr(self.params, measure)
            checks: list[tuple[str, float, Threshold | None]] = [
                ("max", share, bounds.max)
            ]
            if measure in reference:
                increase = share - reference[measure]
                metrics[f"{measure}_increase"] = increase
                checks.append(("max_increase", increase, bounds.max_increase))
            for name, value, levels in checks:
                if levels is None:
                    continue
                status = grade(value, levels)
                statuses.append(status)
                for level, amount in levels.model_dump(exclude_none=True).items():
                    threshold[f"{measure}.{name}.{level}"] = amount
                if status in (Status.WARNED, Status.FAILED):
                    what = "share" if name == "max" else "increase"
                    level = "fail" if status is Status.FAILED else "warn"
                    notes.append(
                        f"{measure} {what} {value:.1%} >= {level} "
                        f"{getattr(levels, level):.1%}"
                    )
        if not statuses:
            return self.result(
                Status.SKIPPED,
                subject=column,
                metrics=metrics,
                message=f"nothing to grade for {column!r} without a reference",
            )
        worst = max(statuses, key=lambda s: s.rank)
        summary = ", ".join(f"{m} {v:.1%}" for m, v in shares.items())
        return self.result(
            worst,
            subject=column,
            value=max(shares.values()),
            threshold=threshold,
            metrics=metrics,
            failures=tuple(samples[:5]),
            details={"reference_shares": reference},
            message="; ".join(notes) if notes else summary,
        )
