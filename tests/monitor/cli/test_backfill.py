"""Time and backfill (issue 16, item 2): history, the latest run, incidents and alerts
follow run time, not the time of the check.

Real files, a real SQLite store, and the console alert channel (stdout) as the
witness of what was sent.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from modelhealth.cli.app import main
from modelhealth.errors import ExitCode
from modelhealth.store import Store

RULES = textwrap.dedent(
    """\
    version: 1
    model: churn
    prediction: {column: score}
    label: {column: churned}
    checks:
      - id: rows
        kind: volume
        severity: critical
        min_rows: 600
    alerts:
      - {channel: console, min_severity: critical}
    """
)

DAYS = {  # day -> rows: the 2nd and 4th are too small
    "2026-11-01": 1000,
    "2026-11-02": 400,
    "2026-11-03": 1000,
    "2026-11-05": 300,
}


@pytest.fixture
def project(tmp_path, frame):
    (tmp_path / "rules.yaml").write_text(RULES)
    for i, (day, rows) in enumerate(DAYS.items()):
        folder = tmp_path / "data" / day
        folder.mkdir(parents=True)
        df = frame(rows, seed=i)
        half = rows // 2
        df.iloc[:half].to_parquet(folder / "part-0.parquet")
        df.iloc[half:].to_parquet(folder / "part-1.parquet")
    return tmp_path


def cli(project: Path, *args: str) -> int:
    return main([*args, "--db", str(project / "mh.db")])


def backfill(project: Path, *extra: str, since="2026-11-01", until="2026-11-05"):
    return cli(
        project,
        "backfill",
        "--rules",
        str(project / "rules.yaml"),
        "--inputs",
        str(project / "data" / "{run_date}" / "*.parquet"),
        "--since",
        since,
        "--until",
        until,
        *extra,
    )


def check(project: Path, day: str, *extra: str) -> int:
    return cli(
        project,
        "check",
        "--rules",
        str(project / "rules.yaml"),
        "--run-id",
        day,
        "--inputs",
        str(project / "data" / day / "part-0.parquet"),
        *extra,
    )


def open_store(project: Path) -> Store:
    return Store(f"sqlite:///{project / 'mh.db'}")


def test_backfill_replays_the_days_in_order_without_alerts(project, capsys):
    assert backfill(project) == ExitCode.CHECKS_FAILED  # two days failed
    out = capsys.readouterr().out
    assert "2026-11-01: ok 1 passed" in out
    assert "2026-11-02: FAIL 1 failed" in out
    assert "2026-11-04: no data" in out
    assert "backfilled 4 run(s) of model 'churn'" in out
    assert "1 day(s) without data; no alert sent" in out
    assert "churn run" not in out + capsys.readouterr().err  # no console alert
    store = open_store(project)
    try:
        runs = store.runs("churn")
        assert [r.run_id for r in runs] == [
            "2026-11-05",
            "2026-11-03",
            "2026-11-02",
            "2026-11-01",
        ]
        assert runs[0].row_count == 300  # both part files of the day
        assert runs[0].started_at.isoformat().startswith("2026-11-05T00:00:00")
        incidents = store.incidents(model="churn")
        # opened on the 2nd, resolved on the 3rd; opened again on the 5th
        spans = sorted((i.opened_at.date().isoformat(), i.status) for i in incidents)
        assert spans == [("2026-11-02", "resolved"), ("2026-11-05", "open")]
        assert store.outbox_pending_count() == 0
    finally:
        store.close()


def test_backfill_alerts_only_when_asked(project, capsys):
    assert backfill(project, "--alert", until="2026-11-02") == 1
    captured = capsys.readouterr()
    assert "churn run 2026-11-02" in captured.out + captured.err  # the console route


def test_rechecking_an_old_run_keeps_its_time_and_changes_nothing_now(project, capsys):
    assert backfill(project, since="2026-11-01", until="2026-11-03") == 1
    store = open_store(project)
    try:
        before = [(i.id, i.status, i.resolved_at) for i in store.incidents()]
    finally:
        store.close()
    capsys.readouterr()
    # the small day, checked again: it stays in its place, opens nothing
    assert check(project, "2026-11-02") == ExitCode.CHECKS_FAILED
    captured = capsys.readouterr()
    out = captured.out
    assert "replaced the stored run '2026-11-02' (run time 2026-11-02 00:00 UTC)" in out
    assert "before the latest run '2026-11-03'" in out
    assert "no alert sent" in out
    assert "[x] rows" not in captured.err  # no console alert
    store = open_store(project)
    try:
        latest = store.latest_run("churn")
        assert latest is not None
        assert latest.run_id == "2026-11-03"
        assert [(i.id, i.status, i.resolved_at) for i in store.incidents()] == before
    finally:
        store.close()


def test_run_time_places_a_new_run_in_the_past(project, capsys):
    never = ("--fail-on", "never")  # part-0 alone is too small: not the point here
    assert check(project, "2026-11-03", "--run-time", "2026-11-03T06:00", *never) == 0
    capsys.readouterr()
    code = check(project, "2026-11-01", "--run-time", "2026-11-01", "--json", *never)
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["run_time"] == "2026-11-01T00:00:00+00:00"
    assert (report["replaced"], report["latest"]) == (False, False)
    assert (
        cli(
            project,
            "check",
            "--rules",
            "x",
            "--run-id",
            "r",
            "--inputs",
            "y",
            "--run-time",
            "yesterday",
        )
        == ExitCode.USAGE
    )
    assert "--run-time: 'yesterday' is not a time" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("since", "until", "message"),
    [
        ("2026-11-05", "2026-11-01", "--until 2026-11-01 is before --since"),
        ("2026-13-01", "2026-11-01", "--since: '2026-13-01' is not a date"),
        ("1900-01-01", "2026-11-01", "at most 3660"),
    ],
)
def test_backfill_refuses_a_wrong_range(project, capsys, since, until, message):
    assert backfill(project, since=since, until=until) == ExitCode.USAGE
    assert message in capsys.readouterr().err


def test_backfill_without_any_data_is_not_checked(project, capsys):
    code = backfill(project, since="2025-01-01", until="2025-01-02")
    assert code == ExitCode.NOT_CHECKED
    assert "no data for any day from 2025-01-01 to 2025-01-02" in (
        capsys.readouterr().err
    )


def test_run_time_from_a_column_of_the_data(tmp_path, frame, capsys):
    (tmp_path / "rules.yaml").write_text(RULES)
    df = frame(700)
    df["event_time"] = pd.date_range("2026-10-01", periods=len(df), freq="min")
    df.to_parquet(tmp_path / "run.parquet")
    args = ["check", "--rules", str(tmp_path / "rules.yaml"), "--run-id", "r1"]
    args += ["--inputs", str(tmp_path / "run.parquet"), "--db", str(tmp_path / "m.db")]
    assert main([*args, "--run-time-column", "event_time", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["run_time"] == "2026-10-01T11:39:00+00:00"  # the latest, as UTC
    assert main([*args, "--run-time-column", "nope"]) == ExitCode.NOT_CHECKED
    assert "the run-time column 'nope' is not in the run's data" in (
        capsys.readouterr().err
    )
