"""What ``modelhealth demo`` shows of joint drift, skew and history thresholds.

One demo month is run into a real SQLite store; the tests read its results back
the way the history table, the model page and ``status`` do.
"""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from rich.console import Console

from modelhealth.cli.demo import (
    DRIFT_FROM,
    JOIN_BUG,
    SHORT_DAY,
    SKEW_DAY,
    make_day,
    run_demo,
)
from modelhealth.cli.demo.month import SHORT_ROWS, day_frames, first_day
from modelhealth.store import ResultRecord, Store

DAYS = 30
QUIET = [d for d in range(1, DRIFT_FROM) if d not in (SKEW_DAY, SHORT_DAY, *JOIN_BUG)]

Month = list[dict[tuple[str, str | None], ResultRecord]]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Month, list[Any], str]:
    """The demo month's results by day (day 1 first), its runs, and its output."""
    directory = tmp_path_factory.mktemp("demo")
    out = io.StringIO()
    run_demo(directory, db=None, days=DAYS, console=Console(file=out, width=400))
    with Store(f"sqlite:///{directory / 'modelhealth.db'}") as store:
        runs = store.runs("churn", limit=DAYS)[::-1]
        month = []
        for run in runs:
            record = store.run("churn", run.run_id)
            assert record is not None
            month.append({(r.check_id, r.subject): r for r in record.results})
    return month, runs, out.getvalue()


def _failing(
    results: dict[tuple[str, str | None], ResultRecord], check: str
) -> list[ResultRecord]:
    return [r for (c, _), r in results.items() if c == check and r.status != "passed"]


@pytest.mark.slow
def test_joint_drift_fails_on_the_join_bug_days_while_feature_drift_passes(demo):
    month, _, out = demo
    for day in JOIN_BUG:
        joint = month[day - 1][("joint-drift", None)]
        assert joint.status == "failed", day
        assert joint.value is not None
        assert joint.value > joint.threshold["upper"]  # rows left the structure
        assert _failing(month[day - 1], "feature-drift") == [], day
        assert "is above the band" in joint.message
    for day in QUIET:  # unchanged days stay quiet
        assert month[day - 1][("joint-drift", None)].status == "passed", day
    assert month[DRIFT_FROM - 1][("joint-drift", None)].status == "failed"
    assert (
        f"joint-drift (multivariate_drift) failed on days {JOIN_BUG[0]}-"
        f"{JOIN_BUG[-1]} while feature-drift passed every column" in out
    )


@pytest.mark.slow
def test_skew_reports_the_share_of_differing_keys_with_examples(demo):
    month, _, out = demo
    spend = month[SKEW_DAY - 1][("serving-skew", "monthly_spend")]
    assert spend.status == "failed"
    assert spend.value is not None
    assert 0.05 < spend.value < 0.2  # the latam customers, about a tenth
    assert spend.failures
    example = spend.failures[0]
    assert example["run"] == round(example["offline"])  # rounded to whole units
    assert "keys" in spend.message
    assert "differ" in spend.message
    coverage = month[SKEW_DAY - 1][("serving-skew", None)]
    assert coverage.status == "passed"
    assert coverage.value == 0  # every customer is in the export
    for day, results in enumerate(month, start=1):
        if day != SKEW_DAY:
            assert _failing(results, "serving-skew") == [], day
    assert f"serving-skew (skew) on day {SKEW_DAY}, monthly_spend: " in out


@pytest.mark.slow
def test_row_count_is_graded_on_its_weekday_and_catches_the_short_day(demo):
    month, runs, out = demo
    weekend = [d for d, r in enumerate(runs, start=1) if r.started_at.weekday() >= 5]
    assert weekend[:3] == [1, 7, 8]  # the month starts on a Sunday

    short = month[SHORT_DAY - 1][("row-count", None)]
    assert short.status == "failed"
    assert short.value == SHORT_ROWS
    assert "below min 2000" in short.message
    assert "history not graded yet" in short.message  # honest: too few Mondays

    graded = [
        d
        for d in weekend
        if "history_lower" in month[d - 1][("row-count", None)].threshold
    ]
    assert graded, "no weekend day was graded on its history"
    for day in graded:
        dip = month[day - 1][("row-count", None)]
        assert dip.status == "passed", dip.message
        assert (
            dip.threshold["history_lower"]
            <= dip.value
            <= dip.threshold["history_upper"]
        )
        assert "within the history band of the" in dip.message
        week = [r.row_count for r in runs[day - 8 : day - 1]]
        assert runs[day - 1].row_count < 0.7 * (sum(week) / len(week))  # a real dip
    for day in range(1, DAYS + 1):  # only the short day fails on its count
        status = month[day - 1][("row-count", None)].status
        assert status == ("failed" if day == SHORT_DAY else "passed"), day
    assert f"row-count (volume) on day {SHORT_DAY}: " in out
    assert "a fixed max_change: {warn: 0.3} on the last 7 runs would have warned" in out


def test_the_month_starts_on_a_sunday_and_ends_before_today():
    for hour in range(0, 24 * 7, 5):
        now = datetime(2026, 3, 4, tzinfo=timezone.utc) + timedelta(hours=hour)
        start = first_day(DAYS, now)
        assert start.weekday() == 6
        assert start.hour == 6
        last = start + timedelta(days=DAYS - 1)
        assert last.date() < now.date()
        assert (now.date() - last.date()).days <= 7


def test_the_skew_day_differs_from_its_export_only_in_monthly_spend():
    run, offline = day_frames(SKEW_DAY, date(2026, 3, 5))
    features = run[offline.columns]
    differs = (features != offline).any()
    assert list(differs[differs].index) == ["monthly_spend"]
    changed = features["monthly_spend"] != offline["monthly_spend"]
    assert set(run.loc[changed, "region"]) == {"latam"}
    again, _ = day_frames(SKEW_DAY, date(2026, 3, 5))
    assert again.equals(run)  # the demo is deterministic


def test_the_join_bug_keeps_every_column_and_breaks_spend_with_age():
    sound = make_day(4000, seed=1012)
    bugged = make_day(4000, seed=1012, join_bug=True)
    for column in ("age", "tenure_months", "monthly_spend", "plan"):
        assert sorted(bugged[column]) == sorted(sound[column]), column
    assert sound["age"].corr(sound["monthly_spend"]) > 0.6
    assert bugged["age"].corr(bugged["monthly_spend"]) < 0.45
