"""The web report's store reads, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timezone

from modelhealth.store import Store
from tests.monitor.web.seed import START, seed


def test_health_overview_counts_and_keeps_the_latest_runs(store: Store) -> None:
    seed(store, days=12)
    store.save_baseline("idle", "v1", profile={}, metrics={}, row_count=1)
    churn, idle = store.health_overview(recent=5)
    assert (churn.name, churn.runs, churn.last_run_id) == ("churn", 12, "2026-03-12")
    assert [m.run_id for m in churn.recent] == [
        "2026-03-08",
        "2026-03-09",
        "2026-03-10",
        "2026-03-11",
        "2026-03-12",
    ]
    assert churn.last_status == "failed"
    assert (idle.runs, idle.recent, idle.last_status) == (0, (), None)


def test_counts_group_in_sql_with_filters(store: Store) -> None:
    seed(store, days=12)
    assert store.has_model("churn")
    assert not store.has_model("nope")
    assert store.count_runs("churn") == 12
    assert store.count_runs("churn", status="warned") == 2
    march_3 = datetime(2026, 3, 3, tzinfo=timezone.utc)
    assert store.count_runs("churn", until=march_3) == 2
    assert store.run_status_counts("churn", since=march_3) == {
        "passed": 3,
        "warned": 2,
        "failed": 5,
    }
    (v1,) = store.version_summary("churn")
    assert (v1.version, v1.runs, v1.first_at) == ("v1", 12, START)


def test_results_neighbours_and_profiles(store: Store) -> None:
    seed(store, days=3)
    runs = store.runs("churn")
    points = store.results_of_runs([r.pk for r in runs])
    assert len(points) == 3 * 5
    assert points[0].run_id == "2026-03-01"  # oldest run first
    assert store.results_of_runs([]) == []
    assert store.run_neighbours("churn", "2026-03-02") == ("2026-03-01", "2026-03-03")
    assert store.run_neighbours("churn", "2026-03-01") == (None, "2026-03-02")
    current = store.column_profiles("churn", ["spend", "gone"], run_id="2026-03-02")
    assert list(current) == ["spend"]
    reference = store.column_profiles("churn", ["plan"], baseline="v1")
    assert reference["plan"]["categories"] == {"basic": 600, "pro": 400}
    everything = store.column_profiles("churn", None, run_id="2026-03-02")
    assert list(everything) == ["spend", "plan"]  # every column, in profile order


def test_failing_streaks_say_since_when(store: Store) -> None:
    """Issue 16: an unhealthy model's failing checks, each with its streak's start."""
    seed(store, days=12)
    found = store.failing_streaks("churn")
    assert [(f.check_id, f.subject, f.status) for f in found] == [
        ("feature-drift", "spend", "failed")
    ]
    (spend,) = found
    # warned from day 6, failed from day 8: one unbroken streak of 7 runs
    assert (spend.since_run_id, spend.runs, spend.at_least) == ("2026-03-06", 7, False)
    assert spend.since == datetime(2026, 3, 6, 6, tzinfo=timezone.utc)
    assert spend.severity == "warning"
    short = store.failing_streaks("churn", depth=3)
    assert (short[0].since_run_id, short[0].runs, short[0].at_least) == (
        "2026-03-10",
        3,
        True,
    )
    assert store.failing_streaks("nope") == []
