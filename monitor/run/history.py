"""History thresholds: warn and fail levels learnt from a check's own past values.

A check whose rule says ``threshold: {history: {last_runs: 28, sigma: 3}}`` is
graded twice. Its kind grades it first, as usual (with its fixed levels, if the
rule gives any). Then, after every check ran, :func:`graded_on_history` puts each
of its results that holds a value against a band around the same check's values on
the same subject in the model's last ``last_runs`` runs before this run's time:
outside ``mean +/- sigma * sd`` it fails, outside ``mean +/- warn_sigma * sd`` it
warns (``direction`` keeps one side only; ``min_sd`` keeps a constant history from
making every change an alarm). A mean and sd of a handful of runs are themselves
uncertain, so ``sigma`` is read as the normal tail beyond it and the band is the
Student's t prediction interval with that tail (:meth:`Band.width`): 3 sds reach
3.4 sds on 28 runs and 10.3 on 4; without that, a seasonal band of four Sundays at
``sigma: 3`` alarms on about 7% of ordinary Sundays. With
``seasonality: day_of_week`` only the runs among them on the same weekday count (in
the rules' schedule timezone, else UTC), so a quiet Sunday is compared with past
Sundays and a weekly rhythm is not an alarm.

The result keeps the worse of its two grades; its ``threshold`` gains the band
(``history_lower``/``history_upper``, and ``history_warn_*``), its ``metrics`` the
history's mean, sd and run count, its details a ``history`` entry, and its message
one clause. With fewer than ``min_runs`` past values (or no store to read them
from) the kind's own grade stands with a note saying how many runs there are and
how many it needs; a result that nothing else graded is then ``skipped``.
Results that are skipped or errored, or hold no value, are left as they are;
errored results are never part of a history (skipped ones with a value are: while
the history is too short, the values that will make it are those results').
"""

from __future__ import annotations

import logging
import math
import statistics
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from modelhealth.checks.base import CheckContext, CheckResult, Status
from modelhealth.errors import StorageError
from modelhealth.rules.models import HistorySpec

if TYPE_CHECKING:
    from modelhealth.store import Store

__all__ = ["Band", "band", "graded_on_history"]

log = logging.getLogger(__name__)

_WEEKDAYS = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)
_GRADED = (Status.PASSED, Status.WARNED, Status.FAILED)


class Band:
    """The levels one history gives: its mean and sd, and where each level lies."""

    def __init__(self, spec: HistorySpec, values: list[float]) -> None:
        self.spec = spec
        self.runs = len(values)
        self.mean = statistics.fmean(values)
        spread = statistics.stdev(values) if len(values) > 1 else 0.0
        self.sd = max(spread, spec.min_sd)

    def width(self, sigma: float) -> float:
        """How many sds from the mean ``sigma`` reaches on this many runs: the
        Student's t prediction interval with the normal tail beyond ``sigma``
        (3 sds stand for 3.4 on 28 runs, 10.3 on 4)."""
        from scipy.special import ndtr, stdtrit  # lighter than scipy.stats

        n = self.runs
        return float(stdtrit(n - 1, ndtr(sigma))) * math.sqrt(1 + 1 / n)

    def levels(self) -> dict[str, float]:
        """The band's edges as a result's ``threshold`` entries."""
        found: dict[str, float] = {}
        sigmas = (("history", self.spec.sigma), ("history_warn", self.spec.warn_sigma))
        for name, sigma in sigmas:
            if sigma is None:
                continue
            reach = self.width(sigma) * self.sd
            if self.spec.direction != "above":
                found[f"{name}_lower"] = self.mean - reach
            if self.spec.direction != "below":
                found[f"{name}_upper"] = self.mean + reach
        return found

    def grade(self, value: float) -> Status:
        """``failed`` outside the sigma band, ``warned`` outside the warn band."""
        levels = self.levels()
        ranked = (("history", Status.FAILED), ("history_warn", Status.WARNED))
        for name, status in ranked:
            low = levels.get(f"{name}_lower", -math.inf)
            high = levels.get(f"{name}_upper", math.inf)
            if value < low or value > high:
                return status
        return Status.PASSED


def band(
    spec: HistorySpec, past: list[tuple[datetime, float]], at: datetime, tz: Any
) -> tuple[Band | None, int, str]:
    """The band for a run at ``at`` from its past ``(run time, value)`` pairs.

    Returns:
        The band (``None`` with fewer than ``spec.min_runs`` values), how many
        values it stands on, and what they are (``"last 28 runs"``, ``"the
        Sundays of the last 28 runs"``), for messages.
    """
    values = [value for _, value in past if math.isfinite(value)]
    what = f"the last {spec.last_runs} runs"
    if spec.seasonality == "day_of_week":
        weekday = at.astimezone(tz).weekday()
        values = [
            v
            for when, v in past
            if math.isfinite(v) and when.astimezone(tz).weekday() == weekday
        ]
        what = f"the {_WEEKDAYS[weekday]}s among {what}"
    if len(values) < spec.min_runs:
        return None, len(values), what
    return Band(spec, values), len(values), what


def graded_on_history(
    results: list[CheckResult], ctx: CheckContext, store: Store | None
) -> list[CheckResult]:
    """``results`` with those of history-threshold checks graded on their history.

    Never raises: a store that cannot be read leaves the kinds' grades standing,
    with a note on each result it concerns.
    """
    specs = {
        c.id: c.threshold.history
        for c in ctx.rule_set.checks
        if c.enabled and c.threshold is not None and c.threshold.history is not None
    }
    if not specs:
        return results
    tz = _timezone(ctx)
    pasts: dict[str, dict[str | None, list[tuple[datetime, float]]] | str] = {}
    for check_id, spec in specs.items():
        if store is None:
            pasts[check_id] = "the store is unreachable"
            continue
        try:
            pasts[check_id] = store.check_values(
                ctx.rule_set.model,
                check_id,
                last_runs=spec.last_runs,
                before=ctx.now,
                exclude_run_id=ctx.run_id,
            )
        except StorageError as exc:
            log.warning("%s; history thresholds of %r not graded", exc, check_id)
            pasts[check_id] = "its stored values could not be read"
    graded = []
    for result in results:
        found = specs.get(result.check_id)
        if found is None or result.value is None or result.status not in _GRADED:
            graded.append(result)
            continue
        past = pasts[result.check_id]
        if isinstance(past, str):
            graded.append(_unknown(result, f"history not graded: {past}"))
            continue
        graded.append(_graded(result, found, past.get(result.subject, []), ctx, tz))
    return graded


def _graded(
    result: CheckResult,
    spec: HistorySpec,
    past: list[tuple[datetime, float]],
    ctx: CheckContext,
    tz: Any,
) -> CheckResult:
    assert result.value is not None
    found, count, what = band(spec, past, ctx.now, tz)
    if found is None:
        return _unknown(
            result,
            f"history not graded yet: {count} past value(s) from {what}, "
            f"it needs {spec.min_runs}",
            history={"runs": count, "needs": spec.min_runs, "from": what},
        )
    status = found.grade(result.value)
    levels = found.levels()
    worse = max(result.status, status, key=lambda s: s.rank)
    where = "outside" if status is not Status.PASSED else "within"
    reach = found.width(spec.sigma)
    note = (
        f"{result.value:.4g} {where} the history band of {what} "
        f"({found.mean:.4g} +/- {reach:.3g} sd, sd {found.sd:.3g}, {count} runs)"
    )
    return replace(
        result,
        status=worse,
        threshold={**result.threshold, **levels},
        metrics={
            **result.metrics,
            "history_mean": found.mean,
            "history_sd": found.sd,
            "history_runs": float(count),
        },
        details={
            **result.details,
            "history": {
                "mean": found.mean,
                "sd": found.sd,
                "runs": count,
                "from": what,
                "status": status.value,
                "width_sd": reach,
                **levels,
            },
        },
        message=_joined(result.message, note),
    )


def _unknown(result: CheckResult, note: str, **details: Any) -> CheckResult:
    """The kind's own grade with ``note``; ``skipped`` if nothing else graded it."""
    status = result.status if result.threshold else Status.SKIPPED
    return replace(
        result,
        status=status,
        details={**result.details, **details},
        message=_joined(result.message, note),
    )


def _joined(message: str, note: str) -> str:
    return f"{message}; {note}" if message else note


def _timezone(ctx: CheckContext) -> Any:
    from zoneinfo import ZoneInfo

    schedule = ctx.rule_set.schedule
    return ZoneInfo(schedule.timezone if schedule is not None else "UTC")
