"""What every integration shares (issue 12), in the main environment: the version
gate's messages, the paragraph that fails a task, and nothing imported up front."""

from __future__ import annotations

import subprocess
import sys

import pytest

import modelhealth
from modelhealth.integrations import _common


def test_an_absent_or_unsupported_orchestrator_names_the_range(monkeypatch):
    with pytest.raises(ImportError) as absent:
        _common.require("no-such-dist-mh", minimum="1.0", below="2", extra="luigi")
    assert str(absent.value) == (
        "modelhealth.integrations.luigi needs no-such-dist-mh>=1.0,<2, which is not "
        "installed; install a supported one with: pip install 'modelhealth[luigi]'"
    )
    found = _common.require("pytest", minimum="1.0", below="100", extra="x")
    assert found[0].isdigit()
    monkeypatch.setattr(_common, "installed_version", lambda dist: "2.10.1rc1")
    with pytest.raises(_common.UnsupportedVersion, match=r"but airflow 2.10.1rc1 is"):
        _common.require("airflow", minimum="2.11", below="4", extra="airflow")
    assert _common.require("airflow", minimum="2.10", below="2.11", extra="airflow")


def test_a_failed_run_fails_with_one_paragraph(tmp_path, frame, monkeypatch):
    rules = tmp_path / "churn.yaml"
    rules.write_text(
        "version: 1\nmodel: churn\nchecks:\n"
        "  - {id: rows, kind: volume, min_rows: 1000, severity: critical}\n"
        "  - {id: few, kind: volume, min_rows: 900}\n"
    )
    db = str(tmp_path / "mh.db")
    monkeypatch.setenv("MODELHEALTH_REPORT_URL", "https://mh.example/")
    with pytest.raises(_common.TaskChecksFailed) as failed:
        _common.check_or_fail(
            rules=rules, run_id="r/1", inputs=frame(10), db=db, model_version="v3"
        )
    assert str(failed.value) == (
        "modelhealth: model 'churn' (version v3) run 'r/1' failed 1 check(s) at or "
        "above 'critical': rows failed (critical): "
        + failed.value.failed[0].message
        + ". Report: https://mh.example/models/churn/runs/r%2F1"
    )
    assert isinstance(failed.value, modelhealth.ChecksFailed)
    assert failed.value.report.run_id == "r/1"
    with pytest.raises(_common.TaskChecksFailed, match="failed 2 check"):
        _common.check_or_fail(
            rules=rules, run_id="r2", inputs=frame(10), db=db, fail_on="warning"
        )
    report = _common.check_or_fail(
        rules=rules, run_id="r3", inputs=frame(10), db=db, fail_on="never"
    )
    assert report.status.value == "failed"


def test_many_failures_are_counted_not_listed(tmp_path, frame):
    checks = "".join(
        f"  - {{id: c{i}, kind: volume, min_rows: 99, severity: critical}}\n"
        for i in range(7)
    )
    rules = tmp_path / "r.yaml"
    rules.write_text(f"version: 1\nmodel: m\nchecks:\n{checks}")
    with pytest.raises(_common.TaskChecksFailed) as failed:
        _common.check_or_fail(
            rules=rules, run_id="r", inputs=frame(5), db=str(tmp_path / "m.db")
        )
    text = str(failed.value)
    assert "c4 failed" in text
    assert "c5 failed" not in text
    assert "; and 2 more." in text
    assert "\n" not in text


def test_importing_the_package_imports_no_orchestrator():
    code = (
        "import sys, modelhealth.integrations, modelhealth.integrations._common\n"
        "heavy = ('luigi', 'prefect', 'dagster', 'mlflow', 'metaflow', 'airflow',"
        " 'pandas', 'sqlalchemy')\n"
        "print(','.join(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""


def test_the_cli_without_mlflow_names_the_extra(tmp_path, frame, capsys):
    import importlib.util

    if importlib.util.find_spec("mlflow") is not None:
        pytest.skip("MLflow is installed in this environment")
    from modelhealth.cli.app import main

    rules = tmp_path / "r.yaml"
    rules.write_text(
        "version: 1\nmodel: m\nchecks:\n  - {id: n, kind: volume, min_rows: 1}\n"
    )
    frame(50).to_parquet(tmp_path / "d.parquet")
    args = ["--rules", str(rules), "--db", str(tmp_path / "m.db")]
    data = str(tmp_path / "d.parquet")
    assert main(["baseline", *args, "--data", data, "--metrics", "mlflow://abc"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        "error: modelhealth.integrations.mlflow needs mlflow-skinny>=2.10,<4, which "
        "is not installed; install a supported one with: pip install "
        "'modelhealth[mlflow]'"
    )
    code = main(
        ["check", *args, "--run-id", "r", "--inputs", data, "--mlflow-run", "x"]
    )
    assert code == 2
    assert "pip install 'modelhealth[mlflow]'" in capsys.readouterr().err
    with modelhealth.Store(str(tmp_path / "m.db")) as store:
        assert store.runs("m") == []  # stopped before checking
