"""``volume``: the run's row count against bounds and against the reference.

One result (subject ``None``) whose value is the run's row count. Two parts are
graded and the result takes the worse of them:

- bounds: ``failed`` when the count is below ``min_rows`` or above ``max_rows``;
- change: ``|rows - expected| / expected`` graded by ``max_change`` (warn/fail
  levels, 0.5 means +/-50%). ``expected`` is the mean row count of the model's last
  runs (``against: recent_runs``, the default: a training set's size says little about
  a day's volume) or of the reference's runs (``against: reference``).

The change part is left out, and said so in the message, when there is nothing to
compare with (the first run, or a mean of 0); when it is the only part, the result
is ``skipped``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from modelhealth.checks.base import (
    Check,
    CheckContext,
    CheckParams,
    CheckResult,
    Status,
    grade,
)
from modelhealth.rules.models import Threshold

__all__ = ["VolumeCheck", "VolumeParams"]


class VolumeParams(CheckParams):
    """``min_rows``/``max_rows`` bound the count; ``max_change`` bounds the relative
    change against the reference's mean row count (0.5 means +/-50%)."""

    kind: Literal["volume"] = "volume"
    min_rows: int | None = Field(default=None, ge=0)
    max_rows: int | None = Field(default=None, ge=0)
    max_change: Threshold | None = None
    against: Literal["recent_runs", "reference"] = "recent_runs"

    @model_validator(mode="after")
    def _some_bound(self) -> VolumeParams:
        bounds = (self.min_rows, self.max_rows, self.max_change, self.threshold)
        if all(b is None for b in bounds):
            raise ValueError(
                "volume needs min_rows, max_rows, max_change or threshold.history"
            )
        return self


class VolumeCheck(Check[VolumeParams]):
    """Grades the run's row count against bounds and the reference's mean."""

    params_type = VolumeParams

    @classmethod
    def reads_rows(cls, params: CheckParams) -> bool:
        """From the row count; rows only to cut segments."""
        return bool(params.segment_by)

    def run(self, ctx: CheckContext) -> list[CheckResult]:
        p = self.params
        rows = ctx.profile.row_count
        statuses: list[Status] = []
        notes: list[str] = []
        threshold: dict[str, float] = {}
        metrics: dict[str, float] = {"rows": float(rows)}
        details: dict[str, object] = {}
        if p.min_rows is not None or p.max_rows is not None:
            low = p.min_rows is not None and rows < p.min_rows
            high = p.max_rows is not None and rows > p.max_rows
            statuses.append(Status.FAILED if low or high else Status.PASSED)
            if p.min_rows is not None:
                threshold["min"] = p.min_rows
            if p.max_rows is not None:
                threshold["max"] = p.max_rows
            bound = f"below min {p.min_rows}" if low else f"above max {p.max_rows}"
            notes.append(f"{rows} rows {bound}" if low or high else f"{rows} rows")
        if p.max_change is not None:
            if p.against == "recent_runs":
                counts, what = (
                    ctx.recent_row_counts,
                    f"the last {len(ctx.recent_row_counts)} runs",
                )
            else:
                counts = ctx.reference.row_counts if ctx.reference is not None else ()
                what = (
                    ctx.reference.label
                    if ctx.reference is not None
                    else "the reference"
                )
            expected = sum(counts) / len(counts) if counts else 0.0
            if expected > 0:
                change = abs(rows - expected) / expected
                status = grade(change, p.max_change)
                statuses.append(status)
                metrics["change"] = change
                details.update(
                    expected_rows=expected,
                    compared_with=what,
                    max_change=p.max_change.model_dump(exclude_none=True),
                )
                level = _crossed(status, p.max_change)
                notes.append(
                    f"{change:.0%} change from the mean of {what} "
                    f"({expected:,.0f} rows)" + (f" (>= {level})" if level else "")
                )
            else:
                notes.append(
                    f"nothing to compare the row count with yet ({what}), "
                    "so max_change was not checked"
                )
        if not statuses:  # nothing fixed to grade: the history band grades alone
            status = Status.PASSED if p.threshold is not None else Status.SKIPPED
            message = notes[-1] if notes else f"{rows:,} rows"
            return [self.result(status, value=rows, message=message)]
        return [
            self.result(
                max(statuses, key=lambda s: s.rank),
                value=rows,
                threshold=threshold,
                metrics=metrics,
                details=details,
                message="; ".join(notes),
            )
        ]


def _crossed(status: Status, threshold: Threshold) -> str:
    if status is Status.FAILED:
        return f"fail {threshold.fail:.0%}"
    if status is Status.WARNED:
        return f"warn {threshold.warn:.0%}"
    return ""
