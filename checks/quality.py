"""``quality``: per column, the shares of nulls, out-of-range and unseen values.

Everything is read from the run's profile (so it works on runs of any size, built
batch by batch), and nested columns are measured by their flat parts
(:mod:`modelhealth.checks._nested`). For each selected column these shares of its
values (the run's rows; a list's elements for ``transactions[]`` and its fields)
are measured:

- ``nulls``: null (and, for numbers, infinite) values; for a list or map column's
  lengths (``transactions``), the null lists, and for a struct field
  (``address.city``), the rows where the field or its struct is null;
- ``empty``: for a list or map column, the empty ones (no bounds by default);
- ``out_of_range``: numeric values below the reference's minimum or above its maximum;
- ``unseen``: categorical values that the reference's profile never saw (a reference
  that kept only its most frequent categories by name counts its rarer ones as
  unseen, so give such columns a looser bound). A column whose reference values
  are all distinct (an id) has no unseen measure.

Each measure has two optional bounds (warn/fail thresholds): ``max``, on the share
itself, and ``max_increase``, on the share minus the reference's own share (the
reference's null share; 0 for the other two measures, by construction). One result per
column (subject = column) takes the worst status of its measures; its ``metrics`` hold
every share. Without a reference only the absolute null bound is graded. A column
the profiler could not read (nested values of no one type) is ``errored`` with its
message; the other columns are still measured. Naming a nested column in
``columns`` selects all its parts.
"""

from __future__ import annotations

from typing import Literal

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

__all__ = ["QualityBounds", "QualityCheck", "QualityParams"]

Measure = Literal["nulls", "empty", "out_of_range", "unseen"]


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
    empty: QualityBounds = QualityBounds()
    out_of_range: QualityBounds = QualityBounds(max=Threshold(warn=0.01, fail=0.05))
    unseen: QualityBounds = QualityBounds(max=Threshold(warn=0.01, fail=0.05))


def _has_categories(ref: ColumnProfile | None) -> bool:
    """A categorical reference column whose values repeat (not an id column)."""
    if ref is None or ref.kind not in ("categorical", "boolean") or not ref.count:
        return False
    return ref.distinct < ref.count or ref.count == 1


class QualityCheck(Check[QualityParams]):
    """Measures and grades every selected column, from the run's profile."""

    params_type = QualityParams

    @classmethod
    def reads_rows(cls, params: CheckParams) -> bool:
        """From the profile; rows only to cut segments."""
        return bool(params.segment_by)

    def run(self, ctx: CheckContext) -> list[CheckResult]:
        ref = ctx.reference.profile if ctx.reference is not None else None
        if ctx.rows == 0:  # shares of no rows are not defined
            return [
                self.result(
                    Status.SKIPPED, message="the run has no rows; no shares to measure"
                )
            ]
        results = []
        for column in self._columns(ctx):
            cur = ctx.profile.columns.get(column)
            if cur is None:
                raise CheckError(f"column {column!r} is not in the run data")
            if cur.error:
                results.append(
                    self.result(Status.ERRORED, subject=column, message=cur.error)
                )
                continue
            ref_col = ref.columns.get(column) if ref is not None else None
            results.append(self._column(ctx, cur, ref_col))
        return results

    def _columns(self, ctx: CheckContext) -> list[str]:
        """The selected columns; a nested column's name selects its parts too."""
        excluded = set(self.params.exclude)
        profiled = list(ctx.profile.columns)
        if self.params.columns != "*":
            chosen: list[str] = []
            for name in self.params.columns:
                parts = [c for c in profiled if _part_of(c, name)]
                chosen += parts if parts else [name]
            return [c for c in chosen if c not in excluded]
        if ctx.rule_set.label is not None:
            excluded.add(ctx.rule_set.label.column)
        return [c for c in profiled if c not in excluded]

    def _column(
        self, ctx: CheckContext, cur: ColumnProfile, ref: ColumnProfile | None
    ) -> CheckResult:
        column = cur.name
        total = cur.count + cur.nulls + cur.infinite  # rows, or a list's elements
        shares: dict[Measure, float] = {}
        reference: dict[Measure, float] = {}
        samples: list[dict[str, object]] = []
        shares["nulls"] = (cur.nulls + cur.infinite) / total if total else 0.0
        if cur.nested:
            shares["empty"] = cur.empty / total if total else 0.0
        if cur.kind == "numeric" and ref is not None and ref.kind == "numeric":
            outside = _outside(ctx, cur, ref)
            if outside is not None and ref.count:
                shares["out_of_range"] = sum(outside) / total if total else 0.0
                for n, bound in zip(outside, (cur.min, cur.max), strict=True):
                    if n and bound is not None:
                        samples.append({"measure": "out_of_range", "value": bound})
        elif cur.kind in ("categorical", "boolean") and _has_categories(ref):
            assert ref is not None
            unseen = _unseen(ctx, cur, ref)
            if unseen is not None:
                shares["unseen"] = unseen / total if total else 0.0
                unseen_values: list[dict[str, object]] = [
                    {"measure": "unseen", "value": key}
                    for key, n in cur.categories.items()
                    if n and key not in ref.categories
                ]
                samples += unseen_values[:5]
        if ref is not None:
            ref_total = ref.count + ref.nulls + ref.infinite
            reference["nulls"] = (
                (ref.nulls + ref.infinite) / ref_total if ref_total else 0.0
            )
            reference["out_of_range"] = reference["unseen"] = 0.0
            if ref.nested:
                reference["empty"] = ref.empty / ref_total if ref_total else 0.0
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


def _part_of(profiled: str, name: str) -> bool:
    """``address.city`` and ``transactions[].amount`` are parts of their column."""
    if profiled == name:
        return True
    return profiled.startswith(name) and profiled[len(name)] in ".[{"


def _outside(
    ctx: CheckContext, cur: ColumnProfile, ref: ColumnProfile
) -> list[int] | None:
    """Values below and above the reference's range: counted by the profiler when
    it binned on this reference, else from the run's rows at hand."""
    if len(cur.outside) == 2 and cur.edges == ref.edges:
        return list(cur.outside)
    if cur.name not in ctx.frame.columns or ctx.sampled:
        return None
    import numpy as np

    x = ctx.frame[cur.name].to_numpy(dtype=np.float64, na_value=np.nan)
    lo, hi = float(ref.min), float(ref.max)  # type: ignore[arg-type]
    return [int(np.count_nonzero(x < lo)), int(np.count_nonzero(x > hi))]


def _unseen(ctx: CheckContext, cur: ColumnProfile, ref: ColumnProfile) -> int | None:
    """Values of categories the reference does not name: exact when the run's
    profile counted every reference category (as the profiler does when it
    profiles on this reference), or when it kept every category of its own."""
    if cur.other and not all(key in cur.categories for key in ref.categories):
        return None
    seen = sum(n for key, n in cur.categories.items() if key in ref.categories)
    return cur.count - seen
