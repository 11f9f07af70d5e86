"""``drift``: each feature's distribution in the run against the reference's.

Drift is computed from profiles, not raw data: the run's profile (``ctx.profile``,
binned on the reference's edges) against the reference profile, so a reference
needs no stored rows. Each selected column gives one result: its ``method``'s
statistic (see :mod:`modelhealth.checks._methods` for every method, its binning and
default
levels), graded by ``per_column[col]`` or the check's ``threshold`` (a method's own
default when none is given). Distances fail at or above a level; p-value tests
(``ks``, ``chisquare``, ``z``) fail when the p-value is at or below it, so their
result's ``value`` is the p-value and ``metrics`` hold both numbers.

``method: auto`` (the default) compares an effect size with levels raised to the
statistic's sampling-noise bound at the two sample sizes (see
:mod:`modelhealth.checks._auto`):
material drift is caught from a few hundred rows, and trivial shifts stay quiet
on millions.

``columns: "*"`` selects every column of the reference profile except the
prediction and label columns, the label's join ``key`` and ``exclude``; an
explicit list selects those.
A column that cannot be compared is ``errored`` with a message that says why
(missing on one side, kind changed, no finite value on one side, a method that
does not apply); datetime columns and columns with fewer than two values on a
side are ``skipped``. Infinite values are left out of the distributions and
counted in the details; categories unseen in the reference are listed there.
Nested columns are compared by their flat parts (:mod:`modelhealth.checks._nested`):
``transactions`` by its list lengths (the message says so), ``transactions[].amount``
and ``address.city`` as columns of their own; a nested column whose values could
not be typed is ``errored`` with the profiler's message.

With ``max_drifted_share``, one more result (subject ``None``) grades the share of
compared columns that drifted: a column *drifted* when it failed (or warned,
without a fail level). ``engine: evidently`` hands the columns to evidently's own
statistical tests instead (:mod:`modelhealth.checks._evidently`); it needs the
reference's
raw data (``reference_data``).

Drifted columns are ranked by importance x drift (:mod:`modelhealth.checks._causes`)
when the baseline has feature importance: given at registration, or the mutual
information with the prediction that :meth:`DriftCheck.fit_reference` estimates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from modelhealth.checks import _causes, _methods
from modelhealth.checks._drift_levels import level_message, raised_levels
from modelhealth.checks.base import (
    Check,
    CheckContext,
    CheckParams,
    CheckResult,
    Status,
    grade,
)
from modelhealth.checks.profile import ColumnProfile, Profile
from modelhealth.rules.models import CheckThreshold, RuleSet, Threshold

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ColumnOverride", "DriftCheck", "DriftMethod", "DriftParams"]

DriftMethod = _methods.MethodName
MIN_VALUES = 2


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
    method: DriftMethod = "auto"
    threshold: CheckThreshold | None = None
    per_column: dict[str, ColumnOverride] = Field(default_factory=dict)
    max_drifted_share: Threshold | None = None
    engine: Literal["native", "evidently"] = "native"
    reference_data: str | None = None


class DriftCheck(Check[DriftParams]):
    """Grades each selected column's drift statistic against the reference."""

    params_type = DriftParams
    needs_reference = True

    @classmethod
    def reads_rows(cls, params: CheckParams) -> bool:
        """From the profile; rows only for evidently's methods and segments."""
        evidently = isinstance(params, DriftParams) and params.engine == "evidently"
        return evidently or bool(params.segment_by)

    def run(self, ctx: CheckContext) -> list[CheckResult]:
        reference = ctx.reference.profile if ctx.reference is not None else None
        if ctx.reference is None or reference is None:
            return [
                self.missing_reference(
                    f"no reference registered for model "
                    f"{ctx.rule_set.model!r}; register one with modelhealth baseline",
                )
            ]
        columns = self._columns(ctx)
        if self.params.engine == "evidently":
            from modelhealth.checks._evidently import run_evidently

            results = run_evidently(self, ctx, columns)
        else:
            label = ctx.reference.label
            results = [self._column(ctx, reference, col, label) for col in columns]
        importance, source = _importance(ctx, self.params.id)
        if importance:
            results = _causes.ranked(results, importance, source)
        if self.params.max_drifted_share is not None:
            results.append(self._share(results, self.params.max_drifted_share))
        return results

    @classmethod
    def fit_reference(
        cls, params: CheckParams, frame: pd.DataFrame, rule_set: RuleSet
    ) -> dict[str, Any] | None:
        """Each feature's mutual information with the prediction, for root-cause
        hints when no importance is given with the baseline."""
        assert isinstance(params, DriftParams)
        spec = rule_set.prediction
        if spec is None or spec.column not in frame.columns:
            return None
        excluded = {spec.column, *params.exclude}
        if rule_set.label is not None:
            excluded.update(c for c in (rule_set.label.column, rule_set.label.key) if c)
        names = params.columns if params.columns != "*" else list(map(str, frame))
        features = [c for c in names if c in frame.columns and c not in excluded]
        mi = _causes.mutual_information(frame, features, spec.column)
        return {
            "importance": mi,
            "importance_from": f"mutual information with {spec.column!r}",
        }

    def _columns(self, ctx: CheckContext) -> list[str]:
        excluded = set(self.params.exclude)
        if self.params.columns != "*":
            return [c for c in self.params.columns if c not in excluded]
        for spec in (ctx.rule_set.prediction, ctx.rule_set.label):
            if spec is not None:
                excluded.add(spec.column)
        if ctx.rule_set.label is not None and ctx.rule_set.label.key is not None:
            excluded.add(ctx.rule_set.label.key)  # an id: new values every run
        reference = ctx.reference.profile if ctx.reference is not None else None
        columns = reference.columns if reference is not None else {}
        return [c for c in columns if c not in excluded]

    def plan(self, column: str) -> tuple[str, Threshold]:
        """The method and levels of ``column``: its override, the check's, or the
        method's default levels."""
        override = self.params.per_column.get(column)
        method = self.params.method
        if override is not None and override.method is not None:
            method = override.method
        if override is not None and override.threshold is not None:
            return method, override.threshold
        levels = self.params.threshold
        # a history band alone keeps the method's levels; the band is graded after
        if levels is not None and levels.has_levels and method == self.params.method:
            return method, Threshold(warn=levels.warn, fail=levels.fail)
        return method, _methods.DEFAULTS[method]

    def _column(
        self, ctx: CheckContext, reference: Profile, column: str, label: str
    ) -> CheckResult:
        method, threshold = self.plan(column)

        def errored(message: str) -> CheckResult:
            levels = threshold.model_dump(exclude_none=True)
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
        if cur.error or ref.error:  # a nested column that could not be read
            side = "run" if cur.error else "reference"
            return errored(f"{cur.error or ref.error} (in the {side})")
        if ref.kind in ("datetime", "binary"):
            what = "a datetime" if ref.kind == "datetime" else "binary (bytes)"
            return self.result(
                Status.SKIPPED,
                subject=column,
                message=f"column {column!r} is {what}; drift does not apply",
            )
        mismatch = {ref.kind, cur.kind} - {"categorical", "boolean"}
        # an empty column has no kind of its own (a header-only CSV reads as text)
        if mismatch and ref.kind != cur.kind and cur.count > 0:
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
            if prof.count < MIN_VALUES:
                return self.result(
                    Status.SKIPPED,
                    subject=column,
                    message=f"column {column!r} has only {prof.count} value in the "
                    f"{side}; drift needs at least {MIN_VALUES} on each side",
                )
        cur_counts: list[int] = []
        if ref.kind == "numeric":
            if not ref.counts:
                return errored(
                    f"the reference's histogram of {column!r} is missing (profiles "
                    "binned on different edges were merged); re-register the baseline"
                )
            rebinned = _rebinned(ctx, cur, ref)
            if rebinned is None:
                return errored(
                    f"the run's histogram of {column!r} is not binned on the "
                    "reference's edges and the run data is not at hand to re-bin it"
                )
            cur_counts = rebinned
        try:
            outcome = _methods.compute(method, ref, cur, cur_counts)
        except _methods.MethodError as exc:
            return errored(f"column {column!r} is {ref.kind}: {exc}")
        return self._graded(column, method, threshold, outcome, ref, cur)

    def _graded(
        self,
        column: str,
        method: str,
        threshold: Threshold,
        outcome: _methods.Outcome,
        ref: ColumnProfile,
        cur: ColumnProfile,
    ) -> CheckResult:
        other: _methods.Outcome | None = None
        if outcome.noise is not None:  # auto: levels are floors under the noise
            judged = [(outcome, raised_levels(threshold, outcome))]
            if outcome.shape is not None:
                judged.append((outcome.shape, raised_levels(threshold, outcome.shape)))
            # the distance decides unless the shape alone is worse
            (outcome, threshold), *rest = sorted(
                judged, key=lambda j: -_SEVERITY[grade(j[0].statistic, j[1])]
            )
            other = rest[0][0] if rest else None
        is_test = outcome.p_value is not None
        status = grade(outcome.graded, threshold, higher_is_worse=not is_test)
        metrics = {"statistic": outcome.statistic, outcome.method: outcome.statistic}
        details: dict[str, object] = {"method": outcome.method, **outcome.details}
        if is_test:
            assert outcome.p_value is not None
            metrics["p_value"] = outcome.p_value
            details["graded_on"] = "p_value"
        if method == "auto":
            assert outcome.noise is not None
            details["chosen_by"] = "auto"
            details["noise_bound"] = outcome.noise
            metrics["noise_bound"] = outcome.noise
            if other is not None:  # numeric: distance and shape, the worse reported
                shape = outcome if other.shape is not None else other
                distance = other if shape is outcome else outcome
                assert shape.noise is not None
                metrics["wasserstein"] = distance.statistic
                metrics["shape"] = shape.statistic
                metrics["shape_noise_bound"] = shape.noise
                details["graded_on"] = "shape" if shape is outcome else "distance"
        details.update(
            reference_count=ref.count, current_count=cur.count, column_kind=ref.kind
        )
        note = ""
        if ref.nested:  # a list's lengths, a map's sizes: say what was compared
            details["measured"] = "length" if ref.nested == "list" else "size"
            note = f" ({ref.nested} {details['measured']}s)"
        if details.get("graded_on") == "shape":
            note += f" (the shape, over {details['bins']} equal-mass bins)"
        if ref.infinite or cur.infinite:
            details.update(
                reference_infinite=ref.infinite, current_infinite=cur.infinite
            )
            note = f"; {ref.infinite} + {cur.infinite} infinite values left out"
        if "unseen_categories" in details:
            unseen = details["unseen_categories"]
            assert isinstance(unseen, list)
            note += f"; new categories: {', '.join(map(str, unseen[:3]))}"
        return self.result(
            status,
            subject=column,
            value=outcome.graded,
            threshold=threshold.model_dump(exclude_none=True),
            metrics=metrics,
            details=details,
            message=level_message(outcome, status, threshold) + note,
        )

    def _share(self, results: list[CheckResult], threshold: Threshold) -> CheckResult:
        graded = [r for r in results if r.status in _GRADED]
        drifted = [r.subject for r in results if _drifted(r)]
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


def _importance(ctx: CheckContext, check_id: str) -> tuple[dict[str, float], str]:
    """The importance given with the baseline, else the one fitted on it."""
    if ctx.reference is None:
        return {}, ""
    if ctx.reference.importance:
        return dict(ctx.reference.importance), "given with the baseline"
    fitted = ctx.reference.fitted.get(check_id) or {}
    found = fitted.get("importance") or {}
    return dict(found), str(fitted.get("importance_from", "fitted on the baseline"))


_SEVERITY = {Status.PASSED: 0, Status.WARNED: 1, Status.FAILED: 2, Status.ERRORED: 3}


def _drifted(result: CheckResult) -> bool:
    if result.status is Status.FAILED:
        return True
    return result.status is Status.WARNED and "fail" not in result.threshold


def _rebinned(
    ctx: CheckContext, cur: ColumnProfile, ref: ColumnProfile
) -> list[int] | None:
    """The run's counts on the reference's edges, re-binned from raw data if needed."""
    if cur.edges == ref.edges and len(cur.counts) == len(ref.counts):
        return cur.counts
    if cur.name not in ctx.frame.columns:
        return None
    from modelhealth.checks._summarize import histogram  # imports pandas

    values = ctx.frame[cur.name].to_numpy(dtype=np.float64, na_value=np.nan)
    return histogram(values[np.isfinite(values)], ref.edges)
