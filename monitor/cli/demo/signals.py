"""The demo's notes on three signals the history table only names.

Read back from the store, as a user would find them: the days the joint
distribution moved (``joint-drift``, a ``multivariate_drift`` check) while every
column's own drift passed; the training-serving skew of a day (``serving-skew``,
a ``skew`` check); and the row count graded against the same weekday's history
(``row-count``'s history threshold), which lets weekends be quiet and still
catches a short day.
"""

from __future__ import annotations

from statistics import mean
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from modelhealth.store import ResultRecord, RunRecord, Store

__all__ = ["print_signals"]

_BAD = ("failed", "warned", "errored")
_FIXED_CHANGE = 0.3


def print_signals(console: Any, store: Store, days: int) -> None:
    """Print a line or two per signal: when it fired, in its own words.

    Args:
        console: where to print.
        store: the demo's store.
        days: the demo's runs.
    """
    month = []
    for run in store.runs("churn", limit=days)[::-1]:
        record = store.run("churn", run.run_id) or run
        month.append(_Day(record))
    console.print(
        "joint drift, training-serving skew and the weekly row count",
        style="bold",
        markup=False,
    )
    for line in (*_joint(month), *_skew(month), *_volume(month)):
        console.print(f"  {line}", markup=False)


class _Day:
    """One run's results by (check, subject), and its row count and weekday."""

    def __init__(self, run: RunRecord) -> None:
        self.rows = run.row_count
        self.weekend = run.started_at.weekday() >= 5
        self.results = {(r.check_id, r.subject): r for r in run.results}

    def fired(self, check: str, subject: str | None = None) -> ResultRecord | None:
        found = self.results.get((check, subject))
        return found if found is not None and found.status in _BAD else None

    def any_fired(self, check: str) -> bool:
        return any(k[0] == check and r.status in _BAD for k, r in self.results.items())


def _days(numbers: list[int]) -> str:
    """``[12, 13, 14, 18, 19]`` as ``12-14, 18-19``."""
    spans: list[list[int]] = []
    for n in numbers:
        if spans and n == spans[-1][-1] + 1:
            spans[-1].append(n)
        else:
            spans.append([n])
    return ", ".join(str(s[0]) if len(s) == 1 else f"{s[0]}-{s[-1]}" for s in spans)


def _joint(month: list[_Day]) -> list[str]:
    fired = [n for n, day in enumerate(month, start=1) if day.fired("joint-drift")]
    if not fired:
        return ["joint-drift (multivariate_drift) passed every day"]
    alone = [n for n in fired if not month[n - 1].any_fired("feature-drift")]
    rest = [n for n in fired if n not in alone]
    if not alone:
        return [f"joint-drift (multivariate_drift) failed on days {_days(fired)}"]
    first = month[alone[0] - 1].fired("joint-drift")
    assert first is not None
    line = (
        f"joint-drift (multivariate_drift) failed on days {_days(alone)} while "
        f"feature-drift passed every column: on day {alone[0]} the {first.message}"
    )
    if rest:
        line += f"; and on days {_days(rest)}, with the shift"
    return [line]


def _skew(month: list[_Day]) -> list[str]:
    lines = [
        f"serving-skew (skew) on day {n}, {subject}: {r.message}"
        for n, day in enumerate(month, start=1)
        for (check, subject), r in day.results.items()
        if check == "serving-skew" and subject and r.status in _BAD
    ]
    return lines or ["serving-skew (skew): the run and the feature store agreed daily"]


def _volume(month: list[_Day]) -> list[str]:
    lines = []
    for n, day in enumerate(month, start=1):
        short = day.fired("row-count")
        if short is not None:
            lines.append(f"row-count (volume) on day {n}: {short.message}")
    # what a fixed max_change of 0.3 on the last 7 runs' mean would have said
    alarms = [
        n
        for n in range(8, len(month) + 1)
        if month[n - 1].weekend
        and not month[n - 1].fired("row-count")
        and abs(month[n - 1].rows / mean(d.rows for d in month[n - 8 : n - 1]) - 1)
        >= _FIXED_CHANGE
    ]
    graded = [
        (n, r)
        for n, day in enumerate(month, start=1)
        if (r := day.results.get(("row-count", None))) is not None
        and "history_lower" in r.threshold
    ]
    weekend = [(n, r) for n, r in graded if month[n - 1].weekend] or graded
    if alarms or weekend:
        line = "row-count on weekends:"
        if alarms:
            line += (
                f" a fixed max_change: {{warn: {_FIXED_CHANGE}}} on the last 7 runs "
                f"would have warned on days {_days(alarms)};"
            )
        if weekend:
            n, r = weekend[0]
            line += f" graded on its weekday's history, day {n}: {r.message}"
        lines.append(line)
    return lines
