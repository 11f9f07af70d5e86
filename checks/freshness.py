"""``freshness``: how old the newest data is, against a maximum age.

One result (subject ``None``) whose value is an age in seconds, measured at the check
time (``ctx.now``):

- with ``column``: the age of the newest timestamp in that column of the run's data
  (naive timestamps are taken as UTC), over every row the engine read
  (:mod:`modelhealth.checks._newest`). A column with no timestamp fails.
- without: the time since the model's newest run *before* this one finished
  (``ctx.last_run_at``). Checked right after a run arrives, that is the gap since
  the previous run, so a pipeline that ran late shows; checked by the scheduler
  with no new data, it is how long nothing has arrived. The model's first run is
  ``skipped``.

``max_age`` fails (it defaults to ``schedule.expect_every``), ``warn_age`` warns.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from modelhealth.checks.base import (
    Check,
    CheckContext,
    CheckError,
    CheckParams,
    CheckResult,
    Status,
)
from modelhealth.rules.durations import parse_duration
from modelhealth.rules.models import Duration, RuleSet

if TYPE_CHECKING:
    from modelhealth.checks._newest import NewestPass
    from modelhealth.checks.base import Reference

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

    @classmethod
    def reads_rows(cls, params: CheckParams) -> bool:
        """From its row pass or the run history; rows only to cut segments."""
        return bool(params.segment_by)

    @classmethod
    def row_pass(
        cls, params: CheckParams, rule_set: RuleSet, reference: Reference | None
    ) -> NewestPass | None:
        from modelhealth.checks._newest import NewestPass

        assert isinstance(params, FreshnessParams)
        return NewestPass(params.column) if params.column is not None else None

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
        from modelhealth.checks._newest import NewestPass, newest_in

        found = ctx.row_pass(self.params.id)
        if not isinstance(found, NewestPass) or ctx.segment is not None:
            found = NewestPass(column)
            found.add(ctx.frame)
        if found.error is not None:
            raise CheckError(found.error)
        if not found.seen:
            raise CheckError(f"the timestamp column {column!r} is not in the run data")
        stamp = newest_in(found, column)
        what = f"the newest {column!r}"
        return stamp, what + (" (in a sample of the run)" if ctx.sampled else "")
