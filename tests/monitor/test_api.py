"""The Python API a pipeline imports, and the demo end to end."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

import modelhealth
from modelhealth.checks.base import Status
from modelhealth.errors import ChecksFailed, DataError

RULES = textwrap.dedent(
    """\
    version: 1
    model: churn
    prediction: {column: score}
    checks:
      - id: schema
        kind: schema
        severity: critical
        columns:
          age: {dtype: int64, checks: {ge: 18}}
      - id: drift
        kind: drift
      - id: boom
        kind: schema
        pandera_model: no_such_package.models:Inputs
    alerts:
      - {channel: console, min_severity: critical}
    """
)


@pytest.fixture
def rules_file(tmp_path):
    path = tmp_path / "churn.yaml"
    path.write_text(RULES)
    return path


def test_check_run_with_frames(rules_file, tmp_path, frame):
    db = tmp_path / "m.db"
    modelhealth.register_baseline(
        rules=rules_file,
        data=frame(3000, seed=1),
        db=str(db),
        metrics={"roc_auc": 0.8},
        model_version="v1",
    )
    report = modelhealth.check_run(
        rules=rules_file, run_id="2026-03-01", inputs=frame(1000, seed=2), db=str(db)
    )
    assert report.reference == "baseline v1"
    by_id = {r.check_id: r for r in report.results if r.subject in (None, "age")}
    assert by_id["schema"].status is Status.PASSED
    # a check that raises becomes errored, and the others still run and are stored
    assert by_id["boom"].status is Status.ERRORED
    assert "no_such_package" in by_id["boom"].message
    assert report.ok("critical")
    store = modelhealth.Store(str(db))
    try:
        stored = store.run("churn", "2026-03-01")
        assert stored is not None
        assert len(stored.results) == len(report.results)
    finally:
        store.close()


def test_raise_for_status(rules_file, tmp_path, frame):
    df = frame(300, seed=3)
    df.loc[:3, "age"] = 5
    report = modelhealth.check_run(
        rules=rules_file, run_id="r", inputs=df, db=str(tmp_path / "m.db"), alert=False
    )
    assert not report.ok()
    with pytest.raises(
        ChecksFailed, match=r"model 'churn' run 'r': 1 check\(s\) failed: schema\[age\]"
    ):
        report.raise_for_status(fail_on="critical")
    # the default, "any": every failed or errored check, whatever its severity
    with pytest.raises(
        ChecksFailed, match=r"3 check\(s\) failed: schema\[age\], drift"
    ):
        report.raise_for_status()
    assert report.raise_for_status(fail_on="never") is report


def test_without_reference_drift_is_an_error_issue_16(rules_file, tmp_path, frame):
    report = modelhealth.check_run(
        rules=rules_file, run_id="r", inputs=frame(100), db=str(tmp_path / "m.db")
    )
    drift = [r for r in report.results if r.check_id == "drift"]
    assert [r.status for r in drift] == [Status.ERRORED]
    assert "modelhealth baseline" in drift[0].message
    assert "on_missing_reference: skip or warn" in drift[0].message
    assert drift[0].details["on_missing_reference"] == "fail"


def test_window_reference(tmp_path, frame):
    path = tmp_path / "w.yaml"
    path.write_text(
        "version: 1\nmodel: w\nreference: {window: {last_runs: 3}}\n"
        "checks:\n  - {id: drift, kind: drift}\n"
        "  - {id: rows, kind: volume, max_change: {fail: 0.5}}\n"
    )
    db = str(tmp_path / "m.db")
    for day in range(4):
        report = modelhealth.check_run(
            rules=path, run_id=f"d{day}", inputs=frame(1000, seed=day), db=db
        )
    assert report.reference == "last 3 runs"
    assert all(r.status is Status.PASSED for r in report.results), [
        r.to_dict() for r in report.results
    ]
    drifted = modelhealth.check_run(
        rules=path, run_id="d9", inputs=frame(1000, seed=9, shift=2.0), db=db
    )
    spend = next(r for r in drifted.results if r.subject == "spend")
    assert spend.status is Status.FAILED


def test_a_backfilled_run_is_compared_with_the_runs_before_it(tmp_path, frame):
    from datetime import datetime, timedelta, timezone

    path = tmp_path / "w.yaml"
    path.write_text(
        "version: 1\nmodel: w\nreference: {window: {last_runs: 2}}\n"
        "checks:\n  - {id: drift, kind: drift}\n"
    )
    db = str(tmp_path / "m.db")
    day0 = datetime(2026, 11, 1, 6, tzinfo=timezone.utc)
    for day in (3, 4, 5):  # the recent runs are stored first
        modelhealth.check_run(
            rules=path,
            run_id=f"d{day}",
            inputs=frame(1000, seed=day, shift=2.0),
            db=db,
            now=day0 + timedelta(days=day),
        )
    for day in (0, 1):
        modelhealth.check_run(
            rules=path,
            run_id=f"d{day}",
            inputs=frame(1000, seed=day),
            db=db,
            now=day0 + timedelta(days=day),
        )
    # day 2 comes late; the runs before it (days 0 and 1) are its window, not the
    # shifted days 3 to 5 checked earlier
    report = modelhealth.check_run(
        rules=path,
        run_id="d2",
        inputs=frame(1000, seed=2),
        db=db,
        now=day0 + timedelta(days=2),
    )
    assert report.reference == "last 2 runs"
    spend = next(r for r in report.results if r.subject == "spend")
    assert spend.status is Status.PASSED, spend.message


def test_missing_file_is_data_error(rules_file, tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        modelhealth.check_run(
            rules=rules_file,
            run_id="r",
            inputs=tmp_path / "nope.parquet",
            db=str(tmp_path / "m.db"),
        )


def test_import_monitor_is_light():
    code = (
        "import sys, monitor; "
        "print([m for m in ('pandas', 'sqlalchemy') if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


@pytest.mark.slow
def test_demo_tells_the_story(tmp_path, capsys):
    from modelhealth.cli.app import main
    from modelhealth.cli.demo import (
        DRIFT_FROM,
        JOIN_BUG,
        LABEL_DELAY,
        SHORT_DAY,
        SKEW_DAY,
    )

    assert main(["demo", "--dir", str(tmp_path / "demo")]) == 0
    out = capsys.readouterr().out
    assert "database: sqlite:///" in out
    store = modelhealth.Store(f"sqlite:///{tmp_path / 'demo' / 'modelhealth.db'}")
    try:
        runs = list(reversed(store.runs("churn", limit=100)))
        assert len(runs) == 30
        full = [store.run("churn", r.run_id) for r in runs]
        bad = [
            {x.check_id for x in run.results if x.status == "failed"}
            for run in full
            if run
        ]
        # before the shift, only the day's own fault fails: skew, short run, join bug
        expected = {SKEW_DAY: {"serving-skew"}, SHORT_DAY: {"row-count"}}
        expected.update({day: {"joint-drift"} for day in JOIN_BUG})
        for day in range(1, DRIFT_FROM):
            assert bad[day - 1] == expected.get(day, set()), (day, bad[day - 1])
        assert "input-schema" in bad[24]  # the schema break on day 25
        assert "input-schema" not in bad[25]
        assert any("feature-drift" in b for b in bad[20:])
        assert not any("feature-drift" in b for b in bad[:17])
        # issue 15: the estimated AUC falls on the day, the labels confirm it later
        assert not any("estimated-auc" in b for b in bad[:17])
        assert all("estimated-auc" in b for b in bad[18:])
        auc = [{r.check_id: r for r in run.results}["live-auc"] for run in full if run]
        assert all(a.status == "skipped" for a in auc[-LABEL_DELAY:])
        assert any(a.status == "failed" for a in auc[DRIFT_FROM - 1 : -LABEL_DELAY])
        estimated = [
            {r.check_id: r for r in run.results}["estimated-auc"] for run in full if run
        ]
        realized = [e.metrics.get("realized") for e in estimated]
        assert all(v is None for v in realized[-LABEL_DELAY:])
        assert all(v is not None for v in realized[:-LABEL_DELAY])
        assert "estimated-auc failed from day 18" in out
    finally:
        store.close()
