"""MLflow (issue 12): a run's metrics become a baseline's pre-deployment values
(``baseline --metrics mlflow://RUN_ID`` and the Python call), and check results are
logged to an MLflow run; against a local file-based tracking store."""

from __future__ import annotations

import importlib
import json

import mlflow
import pytest

import modelhealth
from modelhealth.cli.app import main
from modelhealth.integrations import _common
from modelhealth.integrations import mlflow as mh_mlflow
from tests.integrations.conftest import run_doc_example

GATED = """\
version: 1
model: churn
prediction: {column: score}
label: {column: churned}
checks:
  - {id: rows, kind: volume, min_rows: 10, severity: critical}
  - {id: spend-drift, kind: drift, columns: [spend], method: psi,
     threshold: {warn: 0.1, fail: 0.25}}
  - {id: live-auc, kind: metric, metric: roc_auc, max_drop: 0.03, severity: critical}
"""


@pytest.fixture
def tracking(tmp_path, monkeypatch):
    # MLflow 3 keeps the file store in maintenance mode behind this switch
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    uri = (tmp_path / "mlruns").as_uri()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    mlflow.set_tracking_uri(uri)
    yield uri
    mlflow.set_tracking_uri(None)


@pytest.fixture
def training_run(tracking):
    with mlflow.start_run() as run:
        mlflow.log_metric("roc_auc", 0.70, step=0)
        mlflow.log_metric("roc_auc", 0.99, step=1)  # the latest value counts
        mlflow.log_metric("brier", 0.18)
        mlflow.log_param("depth", 4)
    return run.info.run_id


def test_run_metrics_reads_the_latest_values(training_run):
    assert mh_mlflow.run_metrics(training_run) == {"roc_auc": 0.99, "brier": 0.18}
    assert mh_mlflow.run_metrics(f"mlflow://{training_run}")["brier"] == 0.18


def test_cli_baseline_takes_an_mlflow_run(tmp_path, frame, training_run, capsys):
    rules = tmp_path / "churn.yaml"
    rules.write_text(GATED)
    frame(2000, seed=1).to_parquet(tmp_path / "train.parquet")
    db = str(tmp_path / "mh.db")
    code = main(
        [
            "baseline",
            "--rules",
            str(rules),
            "--data",
            str(tmp_path / "train.parquet"),
            "--metrics",
            f"mlflow://{training_run}",
            "--model-version",
            "v1",
            "--db",
            db,
        ]
    )
    assert code == 0, capsys.readouterr().err
    assert "2 metric(s)" in capsys.readouterr().out
    with modelhealth.Store(db) as store:
        baseline = store.baseline("churn", "v1")
    assert baseline is not None
    assert dict(baseline.metrics) == {"roc_auc": 0.99, "brier": 0.18}
    # the live AUC of this data is far below 0.99: max_drop fails against it
    report = modelhealth.check_run(
        rules=rules, run_id="d1", inputs=frame(500, seed=2), db=db, alert=False
    )
    (auc,) = [r for r in report.results if r.check_id == "live-auc"]
    assert auc.status.value == "failed"


def test_python_baseline_and_bad_runs(tmp_path, frame, training_run, capsys):
    rules = tmp_path / "churn.yaml"
    rules.write_text(GATED)
    db = str(tmp_path / "mh.db")
    record = modelhealth.register_baseline(
        rules=rules,
        data=frame(500),
        metrics=mh_mlflow.run_metrics(training_run),
        db=db,
    )
    assert record.metrics["roc_auc"] == 0.99
    with pytest.raises(
        modelhealth.DataError, match="cannot read the metrics of MLflow"
    ):
        mh_mlflow.run_metrics("0123456789abcdef")
    with mlflow.start_run() as empty:
        pass
    with pytest.raises(modelhealth.DataError, match="has no metrics"):
        mh_mlflow.run_metrics(empty.info.run_id)
    frame(500).to_parquet(tmp_path / "t.parquet")
    args = ["baseline", "--rules", str(rules), "--data", str(tmp_path / "t.parquet")]
    assert main([*args, "--db", db, "--metrics", "mlflow://"]) == 2
    assert "not of the form mlflow://RUN_ID" in capsys.readouterr().err
    assert main([*args, "--db", db, "--metrics", "mlflow://nope"]) == 3
    err = capsys.readouterr().err
    assert "cannot read the metrics of MLflow run 'nope'" in err
    assert "Traceback" not in err


def test_log_report_to_the_active_run_and_cli(tmp_path, frame, rules, tracking, capsys):
    db = str(tmp_path / "mh.db")
    bad = frame(300)
    bad.loc[:4, "age"] = 7
    report = modelhealth.check_run(
        rules=rules, run_id="d1", inputs=bad, db=db, alert=False
    )
    with mlflow.start_run() as run:
        assert mh_mlflow.log_report(report) == run.info.run_id
    logged = mlflow.MlflowClient().get_run(run.info.run_id)
    assert logged.data.tags["modelhealth.status"] == "failed"
    assert logged.data.tags["modelhealth.run_id"] == "d1"
    assert logged.data.metrics["modelhealth.results.failed"] == 1.0
    assert logged.data.metrics["modelhealth.input-schema.age"] > 0
    path = mlflow.artifacts.download_artifacts(
        run_id=run.info.run_id, artifact_path="modelhealth/report.json"
    )
    with open(path) as f:
        assert json.load(f) == report.to_dict()
    with pytest.raises(modelhealth.MonitorError, match="needs an MLflow run"):
        mh_mlflow.log_report(report)

    with mlflow.start_run() as target:
        pass
    bad.to_parquet(tmp_path / "bad.parquet")
    code = main(
        [
            "check",
            "--rules",
            str(rules),
            "--run-id",
            "d2",
            "--inputs",
            str(tmp_path / "bad.parquet"),
            "--db",
            db,
            "--no-alerts",
            "--mlflow-run",
            target.info.run_id,
        ]
    )
    assert code == 1
    tags = mlflow.MlflowClient().get_run(target.info.run_id).data.tags
    assert tags["modelhealth.run_id"] == "d2"


def test_the_documented_example_runs(tmp_path):
    done = run_doc_example(
        "mlflow",
        tmp_path,
        MLFLOW_ALLOW_FILE_STORE="true",
        MLFLOW_TRACKING_URI=(tmp_path / "mlruns").as_uri(),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "baseline metrics: {'roc_auc': 0.83}" in done.stdout


def test_an_unsupported_mlflow_stops_at_import(monkeypatch):
    monkeypatch.setattr(_common, "installed_version", lambda dist: "1.30.0")
    with pytest.raises(ImportError, match=r"supports mlflow-skinny>=2.10,<4, but"):
        importlib.reload(mh_mlflow)
    monkeypatch.undo()
    importlib.reload(mh_mlflow)
