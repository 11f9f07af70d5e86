"""Airflow (issue 12): the operator fails a task at a severity and pushes the report
to XCom; the on_success_callback checks existing tasks. Run with Airflow's own
``dag.test()`` against a SQLite metadata database made for the module."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import textwrap

import pytest

import modelhealth
from modelhealth.integrations import _common
from tests.integrations.conftest import run_doc_example

DAG = textwrap.dedent(
    """\
    import json
    import numpy as np
    import pandas as pd
    import pendulum
    from airflow.sdk import DAG, task

    from modelhealth.integrations.airflow import (
        ModelHealthOperator, health_check_callback)

    RULES, DB, OUT = {rules!r}, {db!r}, {out!r}


    def write(name, bad):
        rng = np.random.default_rng(0)
        df = pd.DataFrame({{"age": rng.integers(18, 90, 300),
                           "plan": rng.choice(["basic", "pro"], 300),
                           "spend": rng.normal(50, 10, 300)}})
        if bad:
            df.loc[:4, "age"] = 7
        path = f"{{OUT}}/{{name}}.parquet"
        df.to_parquet(path)
        return path


    with DAG("mh_test", schedule=None,
             start_date=pendulum.datetime(2026, 1, 1)) as dag:
        @task
        def produce_good():
            return write("good", bad=False)

        check_good = ModelHealthOperator(
            task_id="check_good", rules=RULES, db=DB, alert=False,
            inputs_task_id="produce_good", run_id="good-{{{{ dag.dag_id }}}}")

        @task
        def use_report(ti=None):
            report = ti.xcom_pull(task_ids="check_good", key="modelhealth_report")
            with open(f"{{OUT}}/used.json", "w") as f:
                json.dump(report, f)

        @task(on_success_callback=health_check_callback(
            rules=RULES, db=DB, alert=False,
            inputs=lambda ctx: f"{{OUT}}/bad.parquet", run_id=lambda ctx: "callback"))
        def produce_bad():
            return write("bad", bad=True)

        check_bad = ModelHealthOperator(
            task_id="check_bad", rules=RULES, db=DB, alert=False,
            inputs=OUT + "/bad.parquet", run_id="bad")

        @task
        def after_bad():
            open(f"{{OUT}}/after_bad", "w").close()

        produce_good() >> check_good >> use_report()
        produce_bad() >> check_bad >> after_bad()


    if __name__ == "__main__":
        print("DAG RUN STATE:", dag.test().state)
    """
)


@pytest.fixture(scope="module")
def airflow_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("airflow")
    (home / "dags").mkdir()
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
    }
    done = subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return home, env


def test_the_operator_fails_a_task_and_pushes_the_report(airflow_home, tmp_path, rules):
    home, env = airflow_home
    db = str(tmp_path / "mh.db")
    out = tmp_path / "out"
    out.mkdir()
    dag_file = home / "dags" / "mh_test_dag.py"
    dag_file.write_text(DAG.format(rules=str(rules), db=db, out=str(out)))
    done = subprocess.run(
        [sys.executable, str(dag_file)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    text = done.stdout + done.stderr
    assert "DAG RUN STATE: failed" in text, text[-5000:]
    # the passing branch went on, with the report from XCom
    used = json.loads((out / "used.json").read_text())
    assert used["model"] == "churn"
    assert used["run_id"] == "good-mh_test"
    # the failing check failed its task with the paragraph; downstream never ran
    assert not (out / "after_bad").exists()
    assert (
        "modelhealth: model 'churn' run 'bad' failed 1 check(s) at or above "
        "'critical': input-schema[age] failed (critical)"
    ) in text
    # the callback checked the existing task's output and said so
    assert "modelhealth could not pass task 'produce_bad'" in text
    with modelhealth.Store(db) as store:
        runs = {r.run_id: r.status for r in store.runs("churn")}
    assert runs["bad"] == "failed"
    assert runs["callback"] == "failed"
    assert runs["good-mh_test"] in ("passed", "skipped")


def test_the_documented_example_runs(airflow_home, tmp_path):
    home, env = airflow_home
    dags = home / "dags"
    extra = {k: v for k, v in env.items() if k.startswith("AIRFLOW")}
    done = run_doc_example("airflow", dags, **extra)
    text = done.stdout + done.stderr
    assert done.returncode == 0, text[-4000:]
    assert "state: success" in text, text[-4000:]
    with modelhealth.Store(str(dags / "modelhealth.db")) as store:
        assert store.runs("churn")


def test_operator_arguments_are_checked():
    from modelhealth.integrations.airflow import ModelHealthOperator

    with pytest.raises(ValueError, match=r"either inputs= .* or inputs_task_id="):
        ModelHealthOperator(task_id="x", rules="r.yaml")


def test_an_unsupported_airflow_stops_at_import(monkeypatch):
    from modelhealth.integrations import airflow as mh_airflow

    monkeypatch.setattr(_common, "installed_version", lambda dist: "2.10.5")
    with pytest.raises(ImportError, match=r"supports apache-airflow>=3.0,<4, but"):
        importlib.reload(mh_airflow)
    monkeypatch.undo()
    importlib.reload(mh_airflow)
