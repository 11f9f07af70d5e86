"""``freshness``: how old the newest data is, against a maximum age.

One result (subject ``None``) whose value is an age in seconds, measured at the check
time (``ctx.now``):

- with ``column``: the age of the newest timestamp in that column of the run's data
  (naive timestamps are taken as UTC). A column with no timestamp fails.
- without: the time since the model's newest run *before* this one finished
  (``ctx.last_run_at``). Checked right after a run arrives, that is the gap since
  the previous run, so a pipeline that ran late shows; checked by the scheduler
  with no new data, it is how long nothing has arrived. The model's first run is
  ``skipped``.

``max_age`` fails (it defaults to ``schedule.expect_every``), ``warn_age`` warns.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Literal

from modelhealth.checks.base import (
    Check,
    CheckContext,
    CheckError,
    CheckParams,
    CheckResult,
    Status,
)
from modelhealth.rules.durations import parse_duration
from modelhealth.rules.models import Duration

__all__ = ["FreshnessCheck", "FreshnessParams", "age_text"]


class FreshnessParams(CheckParams):
    """A maximum age of the newest run, or of the newest timestamp in a column."""

    kind: Literal["freshness"] = "freshness"
    column: str | None = None
    max_age: Duration | None = None
    warn_age: Duration | None = None


def age_text(age: timedelta) -> str:
    """``26h 5m``, ``3d 2h``, ``45s``: an age as people read it."""
    seconds = int(age.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days}d {hours}h" if hours else f"{sign}{days}d"
    if hours:
        return f"{sign}{hours}h {minutes}m" if minutes else f"{sign}{hours}h"
    return f"{sign}{minutes}m" if minutes else f"{sign}{secs}s"


class FreshnessCheck(Check[FreshnessParams]):
    """Grades the age of the newest run or timestamp."""

    params_type = FreshnessParams

    def run(self, ctx: CheckContext) -> list[CheckResult]:
        p = self.params
        schedule = ctx.rule_set.schedule
        max_text = p.max_age or (schedule.expect_every if schedule else None)
        if max_text is None and p.warn_age is None:
            raise CheckError(
                "freshness needs max_age (or warn_age), or schedule.expect_every "
                "in the rules"
            )
        newest, what = self._newest(ctx)
        if newest is None:
            return [self.result(Status.SKIPPED, message=what)]
        age = ctx.now - newest
        threshold: dict[str, float] = {}
        status = Status.PASSED
        crossed = ""
        for level, text, bad in (
            ("warn", p.warn_age, Status.WARNED),
            ("fail", max_text, Status.FAILED),
        ):
            if text is None:
                continue
            limit = parse_duration(text)
            threshold[level] = limit.total_seconds()
            if age > limit:
                status, crossed = (
                    bad,
                    f" > {'max_age' if level == 'fail' else 'warn_age'} {text}",
                )
        return [
            self.result(
                status,
                value=age.total_seconds(),
                threshold=threshold,
                metrics={"age_seconds": age.total_seconds()},
                details={"newest": newest.isoformat(), "measured": what},
                message=f"{what} is {age_text(age)} old{crossed}",
            )
        ]

    def _newest(self, ctx: CheckContext) -> tuple[datetime | None, str]:
        column = self.params.column
        if column is None:
            if ctx.last_run_at is None:
                return None, f"model {ctx.rule_set.model!r} has no earlier run yet"
            return ctx.last_run_at, "the newest earlier run"
        import pandas as pd

        if column not in ctx.frame.columns:
            raise CheckError(f"the timestamp column {column!r} is not in the run data")
        raw = ctx.frame[column]
        if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(
            raw.dtype
        ):
            raise CheckError(
                f"column {column!r} holds numbers, not timestamps; write ISO 8601 "
                "text or a datetime column (epoch numbers are ambiguous: s or ms?)"
            )
        try:
            # ISO 8601 in any of its spellings (with or without fractions or an
            # offset); pandas would otherwise guess one format from the first value
            values = pd.to_datetime(raw, utc=True, errors="raise", format="ISO8601")
        except (ValueError, TypeError) as exc:
            raise CheckError(
                f"column {column!r} does not hold timestamps: {exc}"
            ) from None
        newest = values.max()
        if pd.isna(newest):
            raise CheckError(f"column {column!r} holds no timestamp")
        stamp: datetime = newest.to_pydatetime().astimezone(timezone.utc)
        return stamp, f"the newest {column!r}"
