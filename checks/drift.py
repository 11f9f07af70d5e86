"""``drift``: each feature's distribution in the run against the reference's.

Drift is computed from profiles, not raw data: the run's profile (``ctx.profile``,
binned on the reference's edges) against the reference profile. Each selected
column gives one result whose value is its PSI (see :mod:`checks.stats`), graded
by ``per_column[col].threshold`` or the check's ``threshold``: numeric columns
compare histograms, categorical and boolean columns compare category counts.

``columns: "*"`` selects every column of the reference profile except the
prediction and label columns and ``exclude``; an explicit list selects those.
A column that cannot be compared is ``errored`` with a message that says why: it
is missing from the run or from the reference, its kind changed, or it has no
non-null value on one side (an all-null column has no distribution to compare;
the ``schema`` check's ``nullable`` is the place to fail on it). Datetime columns
are ``skipped``: PSI does not apply to them.

With ``max_drifted_share``, one more result (subject ``None``) grades the share of
compared columns that drifted. A column *drifted* when it reached its fail level
(or its warn level when it has no fail level); errored and skipped columns count
in neither the numerator nor the denominator.

Without a reference, the check returns one ``skipped`` result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from checks._summarize import histogram
from checks.base import Check, CheckContext, CheckParams, CheckResult, Status, grade
from checks.profile import ColumnProfile, Profile
from checks.stats import align_categories, psi
from rules.models import Threshold

__all__ = ["ColumnOverride", "DriftCheck", "DriftMethod", "DriftParams"]

DriftMethod = Literal["psi"]


class ColumnOverride(BaseModel):
    """A per-column method or threshold that replaces the check's own."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    method: DriftMethod | None = None
    threshold: Threshold | None = None


class DriftParams(CheckParams):
    """Compares every selected column's profile with the reference profile."""

    kind: Literal["drift"] = "drift"
    columns: Literal["*"] | list[str] = "*"
    exclude: list[str] = Field(default_factory=list)
    method: DriftMethod = "psi"
    threshold: Threshold = Threshold(warn=0.1, fail=0.25)
    per_column: dict[str, ColumnOverride] = Field(default_factory=dict)
    max_drifted_share: Threshold | None = None


class DriftCheck(Check[DriftParams]):
    """Grades each selected column's PSI against the reference profile."""

    params_type = DriftParams
    needs_reference = True

    def run(self, ctx: CheckContext) -> list[CheckResult]:
        reference = ctx.reference.profile if ctx.reference is not None else None
        if ctx.reference is None or reference is None:
            return [
                self.result(
                    Status.SKIPPED,
                    message=f"no reference registered for model "
                    f"{ctx.rule_set.model!r}; register one with modelhealth baseline",
                )
            ]
        label = ctx.reference.label
        results = [
            self._column(ctx, reference, col, label) for col in self._columns(ctx)
        ]
        if self.params.max_drifted_share is not None:
            results.append(self._share(results, self.params.max_drifted_share))
        return results

    def _columns(self, ctx: CheckContext) -> list[str]:
        excluded = set(self.params.exclude)
        if self.params.columns != "*":
            return [c for c in self.params.columns if c not in excluded]
        for spec in (ctx.rule_set.prediction, ctx.rule_set.label):
            if spec is not None:
                excluded.add(spec.column)
        reference = ctx.reference.profile if ctx.reference is not None else None
        columns = reference.columns if reference is not None else {}
        return [c for c in columns if c not in excluded]

    def _threshold(self, column: str) -> Threshold:
        override = self.params.per_column.get(column)
        if override is not None and override.threshold is not None:
            return override.threshold
        return self.params.threshold

    def _column(
        self, ctx: CheckContext, reference: Profile, column: str, label: str
    ) -> CheckResult:
        threshold = self._threshold(column)
        levels = threshold.model_dump(exclude_none=True)

        def errored(message: str) -> CheckResult:
            return self.result(
                Status.ERRORED, subject=column, threshold=levels, message=message
            )

        ref = reference.columns.get(column)
        if ref is None:
            return errored(f"column {column!r} is not in the reference ({label})")
        cur = ctx.profile.columns.get(column)
        if cur is None:
            return errored(
                f"column {column!r} is in the reference but missing from the run data"
            )
        if ref.kind == "datetime":
            return self.result(
                Status.SKIPPED,
                subject=column,
                message=f"column {column!r} is a datetime; psi does not apply",
            )
        if {ref.kind, cur.kind} - {"categorical", "boolean"} and ref.kind != cur.kind:
            return errored(
                f"column {column!r} was {ref.kind} in the reference and is {cur.kind} "
                "in the run"
            )
        for side, prof in (("reference", ref), ("run", cur)):
            if prof.count == 0:
                return errored(
                    f"column {column!r} has no non-null values in the {side} "
                    f"({prof.nulls} nulls, {prof.infinite} infinite)"
                )
        if ref.kind == "numeric":
            ref_counts, cur_counts = ref.counts, _rebinned(ctx, cur, ref)
            if cur_counts is None:
                return errored(
                    f"the run's histogram of {column!r} is not binned on the "
                    "reference's edges and the run data is not at hand to re-bin it"
                )
            value = psi(ref_counts, cur_counts)
            bins = len(ref_counts)
        else:
            _, ref_arr, cur_arr = align_categories(
                ref.categories,
                cur.categories,
                reference_other=ref.other,
                current_other=cur.other,
            )
            value = psi(ref_arr, cur_arr)
            bins = len(ref_arr)
        status = grade(value, threshold)
        return self.result(
            status,
            subject=column,
            value=value,
            threshold=levels,
            metrics={"psi": value},
            details={
                "method": "psi",
                "bins": bins,
                "reference_count": ref.count,
                "current_count": cur.count,
                "column_kind": ref.kind,
            },
            message=_message("psi", value, status, threshold),
        )

    def _share(self, results: list[CheckResult], threshold: Threshold) -> CheckResult:
        graded = [r for r in results if r.status in _GRADED]
        drifted = [r.subject for r in results if _drifted(r, self._threshold)]
        levels = threshold.model_dump(exclude_none=True)
        if not graded:
            return self.result(
                Status.ERRORED,
                threshold=levels,
                message="no column could be compared with the reference",
            )
        share = len(drifted) / len(graded)
        status = grade(share, threshold)
        names = ", ".join(str(d) for d in drifted) or "none"
        return self.result(
            status,
            value=share,
            threshold=levels,
            metrics={"drifted_share": share, "drifted": float(len(drifted))},
            details={"drifted_columns": drifted, "compared": len(graded)},
            message=f"{len(drifted)} of {len(graded)} columns drifted "
            f"({share:.0%}): {names}",
        )


_GRADED = (Status.PASSED, Status.WARNED, Status.FAILED)


def _drifted(result: CheckResult, threshold_of: Callable[[str], Threshold]) -> bool:
    if result.status is Status.FAILED:
        return True
    subject = result.subject or ""
    return result.status is Status.WARNED and threshold_of(subject).fail is None


def _rebinned(
    ctx: CheckContext, cur: ColumnProfile, ref: ColumnProfile
) -> list[int] | None:
    """The run's counts on the reference's edges, re-binned from raw data if needed."""
    if cur.edges == ref.edges and len(cur.counts) == len(ref.counts):
        return cur.counts
    if cur.name not in ctx.frame.columns:
        return None
    values = ctx.frame[cur.name].to_numpy(dtype=np.float64, na_value=np.nan)
    return histogram(values[np.isfinite(values)], ref.edges)


def _message(method: str, value: float, status: Status, threshold: Threshold) -> str:
    """E.g. ``psi 0.31 >= fail 0.25`` or ``psi 0.02 < warn 0.1``."""
    if status is Status.FAILED:
        return f"{method} {value:.2f} >= fail {threshold.fail:g}"
    if status is Status.WARNED:
        return f"{method} {value:.2f} >= warn {threshold.warn:g}"
    level = (
        ("warn", threshold.warn)
        if threshold.warn is not None
        else ("fail", threshold.fail)
    )
    return f"{method} {value:.2f} < {level[0]} {level[1]:g}"
