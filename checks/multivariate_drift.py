"""``multivariate_drift``: drift that no single column shows, by reconstruction error.

At ``modelhealth baseline`` time the selected columns of the baseline's rows are
encoded and standardised, a PCA keeps ``variance`` of their variance, and the
reference's error spread is measured over ``chunks`` out-of-sample chunks (see
:mod:`modelhealth.checks._reconstruction`). That small fitted state is stored with
the baseline (its details' ``fitted`` entry) and comes back as
``ctx.reference.fitted[check id]``. Each run gives one result (subject ``None``, or
the segment) whose value is its mean reconstruction error: ``failed`` outside the
reference's band, above (rows moved off the fitted structure, e.g. a correlation
broke) or below (the data became more regular than the reference).

Bad input never gives a number: a reference with fewer than ``chunks * 20`` rows,
fewer than two usable columns, or an explicitly named constant, all-null or
datetime column is stored as the fit's error and every run reports it ``errored``;
with ``columns: "*"`` such columns are left out and listed in the details. A window
reference (no fitted state) or a run below ``min_rows`` is ``skipped``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

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

__all__ = ["MultivariateDriftCheck", "MultivariateDriftParams"]

FIT_KEYS = ("columns", "exclude", "variance", "chunks")
"""The keys the fitted state depends on; changing one needs a new baseline."""


class MultivariateDriftParams(CheckParams):
    """Reconstruction error of the run under a PCA fitted on the baseline."""

    kind: Literal["multivariate_drift"] = "multivariate_drift"
    columns: Literal["*"] | list[str] = "*"
    exclude: list[str] = Field(default_factory=list)
    variance: float = Field(default=0.65, gt=0, lt=1)
    chunks: int = Field(default=10, ge=3, le=100)
    sigma: float = Field(default=3.0, gt=0)
    tolerance: float = Field(default=0.02, ge=0)
    min_rows: int = Field(default=100, ge=1)


def _columns(p: MultivariateDriftParams, frame: pd.DataFrame, rs: RuleSet) -> list[str]:
    excluded = set(p.exclude)
    if p.columns != "*":
        return [c for c in p.columns if c not in excluded]
    for spec in (rs.prediction, rs.label):
        if spec is not None:
            excluded.add(spec.column)
    if rs.label is not None and rs.label.key is not None:
        excluded.add(rs.label.key)
    return [str(c) for c in frame.columns if str(c) not in excluded]


class MultivariateDriftCheck(Check[MultivariateDriftParams]):
    """Grades the run's mean reconstruction error against the baseline's band."""

    params_type = MultivariateDriftParams
    needs_reference = True

    @classmethod
    def fit_reference(
        cls, params: CheckParams, frame: pd.DataFrame, rule_set: RuleSet
    ) -> dict[str, Any] | None:
        from modelhealth.checks._reconstruction import fit

        assert isinstance(params, MultivariateDriftParams)
        state = fit(
            frame,
            _columns(params, frame, rule_set),
            explicit=params.columns != "*",
            variance=params.variance,
            chunks=params.chunks,
        )
        state["settings"] = params.model_dump(include=set(FIT_KEYS))
        return state

    def run(self, ctx: CheckContext) -> list[CheckResult]:
        from modelhealth.checks._reconstruction import band, run_error

        p = self.params
        state = ctx.reference.fitted.get(p.id) if ctx.reference else None
        if ctx.reference is None or ctx.reference.source != "baseline":
            return [self._skip("it needs a baseline reference (reference: {baseline})")]
        if state is None:
            return [
                self._skip(
                    f"{ctx.reference.label} was registered before this check "
                    "existed; register the baseline again to fit it"
                )
            ]
        if FIT_ERROR in state:
            why = state[FIT_ERROR]
            raise CheckError(f"could not fit on {ctx.reference.label}: {why}")
        settings = p.model_dump(include=set(FIT_KEYS))
        if state.get("settings") != settings:
            raise CheckError(
                f"{ctx.reference.label} was fitted with other settings "
                f"({state.get('settings')}); register the baseline again"
            )
        rows = len(ctx.frame)
        if rows < p.min_rows:
            return [
                self.result(
                    Status.SKIPPED,
                    metrics={"rows": float(rows)},
                    message=f"{rows} rows, fewer than min_rows {p.min_rows}",
                )
            ]
        value, imputed = run_error(ctx.frame, state)
        reference = float(state["error_mean"])
        half = band(state, rows, p.sigma, p.tolerance)
        low, high = reference - half, reference + half
        status = Status.PASSED if low <= value <= high else Status.FAILED
        change = value / reference - 1.0 if reference > 0 else 0.0
        where = "above" if value > high else "below" if value < low else "within"
        return [
            self.result(
                status,
                value=value,
                threshold={"lower": low, "upper": high},
                metrics={
                    "reconstruction_error": value,
                    "reference_error": reference,
                    "relative_change": change,
                    "rows": float(rows),
                },
                details={
                    "columns": [c["name"] for c in state["columns"]],
                    "left_out": state["left_out"],
                    "components": len(state["components"]),
                    "variance_kept": state["variance_kept"],
                    "reference_rows": state["reference_rows"],
                    "chunk_errors": state["chunk_errors"],
                    "imputed_cells": imputed,
                },
                message=f"reconstruction error {value:.4f} ({change:+.1%}) is "
                f"{where} the band [{low:.4f}, {high:.4f}] of "
                f"{ctx.reference.label} over {len(state['columns'])} columns",
            )
        ]

    def _skip(self, why: str) -> CheckResult:
        return self.result(Status.SKIPPED, message=f"multivariate drift: {why}")
