"""Luigi (issue 12): the mixin fails a real workflow on a failed check, and the
event handler checks existing tasks; run with ``luigi.build(local_scheduler=True)``."""

from __future__ import annotations

import importlib

import luigi
import pytest

import modelhealth
from modelhealth.integrations import _common
from modelhealth.integrations import luigi as mh_luigi
from tests.integrations.conftest import run_doc_example


def make_tasks(rules, db, frame, out_dir):
    class Score(mh_luigi.HealthCheckMixin, luigi.Task):
        day = luigi.Parameter()
        bad = luigi.BoolParameter(default=False)
        health_rules = rules
        health_db = db
        health_alert = False

        def health_run_id(self):
            return str(self.day)

        def output(self):
            return luigi.LocalTarget(str(out_dir / f"scores-{self.day}.parquet"))

        def run(self):
            df = frame(300, seed=1)
            if self.bad:
                df.loc[:4, "age"] = 7  # below the schema's ge: 18
            with self.output().temporary_path() as path:
                df.to_parquet(path)

    class Publish(luigi.Task):
        day = luigi.Parameter()
        bad = luigi.BoolParameter(default=False)

        def requires(self):
            return Score(day=self.day, bad=self.bad)

        def output(self):
            return luigi.LocalTarget(str(out_dir / f"published-{self.day}.txt"))

        def run(self):
            with self.output().open("w") as f:
                f.write("ok")

    return Score, Publish


def test_a_passing_output_lets_the_workflow_go_on(rules, db, frame, tmp_path):
    _, publish = make_tasks(rules, db, frame, tmp_path)
    result = luigi.build(
        [publish(day="2026-03-01")], local_scheduler=True, detailed_summary=True
    )
    assert result.status == luigi.execution_summary.LuigiStatusCode.SUCCESS
    assert (tmp_path / "published-2026-03-01.txt").exists()
    with modelhealth.Store(db) as store:
        (run,) = store.runs("churn")
    assert run.run_id == "2026-03-01"


def test_a_failed_check_fails_the_task_with_one_paragraph(rules, db, frame, tmp_path):
    score, publish = make_tasks(rules, db, frame, tmp_path)
    seen = []
    score.event_handler(luigi.Event.FAILURE)(lambda task, exc: seen.append((task, exc)))
    result = luigi.build(
        [publish(day="2026-03-02", bad=True)],
        local_scheduler=True,
        detailed_summary=True,
    )
    assert result.status == luigi.execution_summary.LuigiStatusCode.FAILED
    assert "Score(day=2026-03-02, bad=True)" in result.summary_text
    assert not (tmp_path / "published-2026-03-02.txt").exists()  # never ran
    ((task, exc),) = seen
    assert isinstance(exc, _common.TaskChecksFailed)
    # what Luigi's scheduler, summary and error e-mails show: the paragraph
    explanation = task.on_failure(exc)
    assert explanation == str(exc)
    assert explanation.startswith(
        "modelhealth: model 'churn' run '2026-03-02' failed 1 check(s) at or above "
        "'critical': input-schema[age] failed (critical)"
    )
    assert explanation.endswith(
        "Report: modelhealth status --model churn (set MODELHEALTH_REPORT_URL for a "
        "link)"
    )
    assert "\n" not in explanation
    with modelhealth.Store(db) as store:
        stored = store.run("churn", "2026-03-02")
    assert stored is not None
    assert stored.status == "failed"  # the results are stored all the same


def test_a_fail_on_below_the_failure_lets_it_pass(rules, db, frame, tmp_path):
    score, _ = make_tasks(rules, db, frame, tmp_path)
    lenient = type("Lenient", (score,), {"health_fail_on": "never"})
    assert luigi.build([lenient(day="d3", bad=True)], local_scheduler=True)


def test_the_event_handler_checks_existing_tasks(rules, db, frame, tmp_path, caplog):
    class Existing(luigi.Task):
        day = luigi.Parameter()

        def output(self):
            return luigi.LocalTarget(str(tmp_path / f"existing-{self.day}.parquet"))

        def run(self):
            df = frame(300, seed=2)
            if self.day == "bad":
                df.loc[:2, "plan"] = "free"
            with self.output().temporary_path() as path:
                df.to_parquet(path)

    mh_luigi.add_event_handler(
        Existing, rules=rules, db=db, run_id=lambda t: f"existing-{t.day}", alert=False
    )
    assert luigi.build(
        [Existing(day="good"), Existing(day="bad")], local_scheduler=True
    )
    with modelhealth.Store(db) as store:
        runs = {r.run_id: r.status for r in store.runs("churn")}
    # no baseline: drift is skipped, the rest graded, so the headline is passed
    assert runs == {"existing-good": "passed", "existing-bad": "failed"}
    assert "modelhealth could not pass Existing(day=bad)" in caplog.text
    assert "plan" in caplog.text


def test_a_task_without_rules_fails_plainly(tmp_path, frame):
    class NoRules(mh_luigi.HealthCheckMixin, luigi.Task):
        def output(self):
            return luigi.LocalTarget(str(tmp_path / "x.parquet"))

        def run(self):
            frame(10).to_parquet(self.output().path)

    seen = []
    NoRules.event_handler(luigi.Event.FAILURE)(lambda task, exc: seen.append(exc))
    assert not luigi.build([NoRules()], local_scheduler=True)
    assert "sets no health_rules" in str(seen[0])


def test_an_unsupported_luigi_stops_at_import(monkeypatch):
    monkeypatch.setattr(_common, "installed_version", lambda dist: "2.8.13")
    with pytest.raises(ImportError, match=r"supports luigi>=3.0,<4, but luigi 2.8.13"):
        importlib.reload(mh_luigi)
    monkeypatch.undo()
    importlib.reload(mh_luigi)


def test_the_documented_example_runs(tmp_path):
    done = run_doc_example("luigi", tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "published-2026-03-01.txt").read_text() == "published"
    with modelhealth.Store(str(tmp_path / "modelhealth.db")) as store:
        assert store.run("churn", "2026-03-01") is not None
