"""Prefect (issue 12): the task checks a run inside a real flow, run in Prefect's
local mode (a temporary local API and database, ``prefect_test_harness``)."""

from __future__ import annotations

import importlib

import pytest
from prefect import flow
from prefect.testing.utilities import prefect_test_harness

import modelhealth
from modelhealth.integrations import _common
from modelhealth.integrations import prefect as mh_prefect
from tests.integrations.conftest import run_doc_example


@pytest.fixture(scope="module", autouse=True)
def local_prefect():
    with prefect_test_harness(server_startup_timeout=120):
        yield


def test_a_passing_run_returns_the_report_to_the_flow(rules, db, frame):
    @flow
    def score(day: str):
        report = mh_prefect.check_run_task(
            rules=str(rules), run_id=day, inputs=frame(300), db=db, alert=False
        )
        return report["status"], report["counts"]["failed"]

    status, failed = score("2026-03-01")
    assert failed == 0
    assert status in ("passed", "skipped")  # drift has no baseline yet
    with modelhealth.Store(db) as store:
        assert store.run("churn", "2026-03-01") is not None


def test_a_failed_check_fails_the_flow_with_one_paragraph(rules, db, frame):
    bad = frame(300)
    bad.loc[:4, "age"] = 7

    @flow
    def score(day: str):
        return mh_prefect.check_run_task(
            rules=str(rules), run_id=day, inputs=bad, db=db, alert=False
        )

    state = score("2026-03-02", return_state=True)
    assert state.is_failed()
    assert (
        "modelhealth: model 'churn' run '2026-03-02' failed 1 check(s) at or above "
        "'critical': input-schema[age] failed (critical)"
    ) in state.message
    with pytest.raises(_common.TaskChecksFailed) as failed:
        state.result()
    assert str(failed.value).endswith(
        "Report: modelhealth status --model churn (set MODELHEALTH_REPORT_URL for a "
        "link)"
    )

    # a lower bar: the same run passes with fail_on=never, and is stored again
    @flow
    def lenient(day: str):
        return mh_prefect.check_run_task(
            rules=str(rules), run_id=day, inputs=bad, db=db, fail_on="never"
        )

    assert lenient("2026-03-02")["status"] == "failed"


def test_bad_data_fails_the_task_with_the_data_error(rules, db, tmp_path):
    @flow
    def score():
        return mh_prefect.check_run_task(
            rules=str(rules), run_id="x", inputs=str(tmp_path / "nope.parquet"), db=db
        )

    state = score(return_state=True)
    assert state.is_failed()
    assert "nope.parquet" in state.message
    with pytest.raises(modelhealth.DataError):
        state.result()


def test_the_documented_example_runs(tmp_path):
    from prefect.settings import PREFECT_API_URL

    # against the temporary local API of this module's harness: a second one
    # would cost another server start
    done = run_doc_example(
        "prefect",
        tmp_path,
        PREFECT_HOME=str(tmp_path / "home"),
        PREFECT_API_URL=str(PREFECT_API_URL.value()),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "checked: passed" in done.stdout


def test_an_unsupported_prefect_stops_at_import(monkeypatch):
    monkeypatch.setattr(_common, "installed_version", lambda dist: "2.20.3")
    with pytest.raises(ImportError, match=r"supports prefect>=3.0,<4, but prefect 2"):
        importlib.reload(mh_prefect)
    monkeypatch.undo()
    importlib.reload(mh_prefect)
