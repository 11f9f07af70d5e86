"""History thresholds (issue 15, item 5): levels from a check's own stored values.

A daily order volume with a weekly rhythm (about 1,000 rows on weekdays, 400 on
Sundays) is checked run by run through the real runner into a real store (SQLite
and PostgreSQL). A plain band over the last 28 runs calls every Sunday an alarm;
the same band taken over past Sundays only (``seasonality: day_of_week``) does
not, and still fails a Wednesday whose volume halves.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pytest

import modelhealth.checks.registry
from modelhealth.checks.base import Status
from modelhealth.rules import loads
from modelhealth.rules.models import HistorySpec
from modelhealth.run import runner
from modelhealth.run.history import band

MONDAY = datetime(2026, 1, 5, 6, 0, tzinfo=timezone.utc)

RULES = """
version: 1
model: orders
checks:
  - id: rows-plain
    kind: volume
    threshold: {history: {last_runs: 28, sigma: 2}}
  - id: rows-weekly
    kind: volume
    threshold: {history: {last_runs: 28, sigma: 3, seasonality: day_of_week}}
  - id: rows-bounded
    kind: volume
    min_rows: 10
    threshold: {history: {last_runs: 28, sigma: 3, seasonality: day_of_week}}
"""


def _rules():
    kinds = modelhealth.checks.registry.params_types()
    return loads(RULES, check_kinds=kinds, channel_kinds={})


def _rows(day: int) -> int:
    """About 1,000 rows on weekdays and Saturdays, 400 on Sundays."""
    noise = int(np.random.default_rng(day).normal(0, 20))
    return (400 if day % 7 == 6 else 1000) + noise


def _check(store, rule_set, day: int, rows: int | None = None):
    n = _rows(day) if rows is None else rows
    frame = pd.DataFrame({"amount": np.random.default_rng(day).normal(size=n)})
    report = runner.run(
        rule_set,
        run_id=f"day-{day}",
        data=frame,
        store=store,
        now=MONDAY + timedelta(days=day),
        alert=False,
    )
    return {r.check_id: r for r in report.results}


def test_a_weekly_rhythm_is_no_alarm_and_a_real_drop_is(store):
    rule_set = _rules()
    first = _check(store, rule_set, 0)
    assert first["rows-weekly"].status is Status.SKIPPED
    assert "0 past value(s)" in first["rows-weekly"].message
    assert "it needs 4" in first["rows-weekly"].message
    # a fixed bound still grades while the history is short
    assert first["rows-bounded"].status is Status.PASSED
    assert "it needs 4" in first["rows-bounded"].message
    for day in range(1, 34):
        _check(store, rule_set, day)

    sunday = _check(store, rule_set, 34)  # the fifth Sunday: 4 Sundays behind it
    plain, weekly = sunday["rows-plain"], sunday["rows-weekly"]
    assert plain.status is Status.FAILED, plain.message
    assert weekly.status is Status.PASSED, weekly.message
    assert "the Sundays among the last 28 runs" in weekly.message
    assert weekly.metrics["history_runs"] == 4
    assert weekly.threshold["history_lower"] < weekly.value
    assert weekly.value < weekly.threshold["history_upper"]
    assert plain.metrics["history_runs"] == 28

    wednesday = _check(store, rule_set, 37, rows=500)  # half the usual volume
    weekly = wednesday["rows-weekly"]
    assert weekly.status is Status.FAILED, weekly.message
    assert "outside the history band" in weekly.message
    # the plain band, widened by the Sundays, misses it
    assert wednesday["rows-plain"].status is Status.PASSED

    stored = store.run("orders", "day-37")
    kept = {r.check_id: r for r in stored.results}["rows-weekly"]
    assert kept.status == "failed"
    assert kept.details["history"]["runs"] == 4


def test_a_backfilled_run_is_graded_on_the_history_before_it(store):
    rule_set = _rules()
    for day in range(7, 42):
        _check(store, rule_set, day)
    early = _check(store, rule_set, 1)  # checked last, but Tuesday of week one
    assert early["rows-weekly"].status is Status.SKIPPED
    assert "0 past value(s)" in early["rows-weekly"].message


def test_an_unreachable_store_leaves_the_grade_with_a_note(frame):
    report = runner.run(
        _rules(), run_id="r1", data=frame(n=50), store=None, alert=False
    )
    results = {r.check_id: r for r in report.results}
    assert results["rows-weekly"].status is Status.SKIPPED
    assert "history not graded: the store is unreachable" in (
        results["rows-weekly"].message
    )
    assert results["rows-bounded"].status is Status.PASSED


@pytest.mark.parametrize(
    ("direction", "value", "status"),
    [
        ("both", 155.0, Status.FAILED),
        ("both", 45.0, Status.FAILED),
        ("both", 125.0, Status.WARNED),
        ("above", 45.0, Status.PASSED),
        ("below", 155.0, Status.PASSED),
        ("below", 75.0, Status.WARNED),
        ("both", 115.0, Status.PASSED),
    ],
)
def test_band_levels_and_sides(direction, value, status):
    # mean 100, sample sd 10.7 of 8 runs: the t prediction interval puts fail
    # beyond +/-51 (4.8 sd for sigma 3) and warn beyond +/-19 (1.8 sd for 1.5)
    spec = HistorySpec(sigma=3, warn_sigma=1.5, direction=direction)
    past = [(MONDAY + timedelta(days=i), v) for i, v in enumerate([90.0, 110.0] * 4)]
    found, count, _ = band(spec, past, MONDAY, timezone.utc)
    assert found is not None
    assert count == 8
    assert found.mean == pytest.approx(100)
    assert found.grade(value) is status


def test_a_constant_history_is_held_to_min_sd():
    past = [(MONDAY + timedelta(days=i), 0.0) for i in range(6)]
    strict, _, _ = band(HistorySpec(), past, MONDAY, timezone.utc)
    loose, _, _ = band(HistorySpec(min_sd=0.01), past, MONDAY, timezone.utc)
    assert strict is not None
    assert loose is not None
    assert strict.grade(0.001) is Status.FAILED
    assert loose.grade(0.001) is Status.PASSED


def test_the_weekday_is_read_in_the_given_timezone():
    # 23:30 UTC on a Sunday is Monday in Tokyo
    late_sunday = datetime(2026, 1, 11, 23, 30, tzinfo=timezone.utc)
    past = [(late_sunday - timedelta(days=7 * k), 400.0 + k) for k in range(1, 5)]
    spec = HistorySpec(seasonality="day_of_week")
    from zoneinfo import ZoneInfo

    found, count, what = band(spec, past, late_sunday, ZoneInfo("Asia/Tokyo"))
    assert count == 4
    assert "Mondays" in what
    assert found is not None


def test_the_band_widens_on_few_runs_so_its_false_alarms_stay_rare():
    """An unchanged normal series: at sigma 3 the t band alarms on about 0.27% of
    runs whatever the history's length; a plain mean +/- 3 sd of 4 runs would on
    about 7%."""
    rng = np.random.default_rng(1)
    spec = HistorySpec(sigma=3, min_runs=2)
    for n in (4, 8, 28):
        x = rng.normal(size=(20_000, n + 1))
        width = band(spec, [(MONDAY, v) for v in x[0, :n]], MONDAY, timezone.utc)[0]
        assert width is not None
        reach = width.width(3)
        m, s = x[:, :n].mean(axis=1), x[:, :n].std(axis=1, ddof=1)
        alarms = float((np.abs(x[:, n] - m) > reach * s).mean())
        assert 0.001 < alarms < 0.0055, (n, alarms)
    assert width is not None
    assert width.width(3) == pytest.approx(3.36, abs=0.01)  # 28 runs
