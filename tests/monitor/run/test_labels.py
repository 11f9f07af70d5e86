"""Late labels: predictions kept with the run, labels joined later, metrics re-run."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

import modelhealth
from modelhealth.checks.base import Status
from modelhealth.cli.app import main
from modelhealth.errors import DataError, UsageError
from modelhealth.run.labels import attach_labels

RULES = textwrap.dedent(
    """\
    version: 1
    model: churn
    prediction: {column: score}
    label: {column: churned, key: customer_id, delay: 3d}
    checks:
      - {id: rows, kind: volume, min_rows: 1}
      - {id: live-auc, kind: metric, metric: roc_auc, min: 0.6, severity: critical}
      - {id: live-acc, kind: metric, metric: accuracy, min: 0.0, segment_by: [region]}
      - {id: gate-auc, kind: metric, metric: roc_auc, min: 0.6, stage: pre_deployment}
    """
)


@pytest.fixture
def setup(tmp_path, frame):
    rules = tmp_path / "churn.yaml"
    rules.write_text(RULES)
    db = str(tmp_path / "m.db")
    df = frame(1000, seed=5)
    df["customer_id"] = [f"c{i:05d}" for i in range(len(df))]
    labels = df[["customer_id", "churned"]].copy()
    report = modelhealth.check_run(
        rules=rules, run_id="d1", inputs=df.drop(columns="churned"), db=db, alert=False
    )
    return rules, db, labels, report


def test_run_without_labels_skips_metrics_and_keeps_predictions(setup):
    _, db, _, report = setup
    metric = [r for r in report.results if r.kind == "metric"]
    assert list(dict.fromkeys(r.check_id for r in metric)) == ["live-auc", "live-acc"]
    assert all(r.status is Status.SKIPPED for r in metric)
    assert metric[0].message.startswith("labels not available yet")
    with modelhealth.Store(db) as store:
        kept = store.predictions("churn", "d1")
    assert kept is not None
    assert list(kept.frame.columns) == ["customer_id", "score", "region"]
    assert len(kept.frame) == 1000
    assert kept.labeled_at is None


def test_attach_labels_reevaluates_the_metric_checks(setup):
    rules, db, labels, _ = setup
    report = attach_labels(rules=rules, run_id="d1", labels=labels.iloc[:900], db=db)
    results = {(r.check_id, r.subject): r for r in report.results}
    auc = results[("live-auc", None)]
    assert auc.status is Status.PASSED
    assert auc.details["labels_matched"] == 900
    assert auc.details["unlabelled_rows"] == 100
    assert ("live-acc", "region=eu") in results
    assert ("rows", None) in results  # other results are kept
    with modelhealth.Store(db) as store:
        stored = store.run("churn", "d1")
        kept = store.predictions("churn", "d1")
    assert stored is not None
    assert kept is not None
    assert [r.status for r in stored.results if r.check_id == "live-auc"] == ["passed"]
    assert stored.counts["skipped"] == 0
    assert kept.labeled_rows == 900


def test_labels_that_match_no_key_are_a_clear_error(setup):
    rules, db, labels, _ = setup
    labels["customer_id"] = "x" + labels["customer_id"]
    with pytest.raises(
        DataError,
        match=r"none of the 1,000 label keys match the 1,000 predictions of run 'd1' "
        r"on 'customer_id'",
    ):
        attach_labels(rules=rules, run_id="d1", labels=labels, db=db)


def test_keys_of_another_type_still_join(setup):
    rules, db, labels, _ = setup
    labels["customer_id"] = labels["customer_id"].astype("category")
    report = attach_labels(rules=rules, run_id="d1", labels=labels, db=db)
    assert any(
        r.check_id == "live-auc" and r.status is Status.PASSED for r in report.results
    )


def test_bad_label_files(setup):
    rules, db, labels, _ = setup
    with pytest.raises(DataError, match="the labels have no column 'churned'"):
        attach_labels(
            rules=rules, run_id="d1", labels=labels.drop(columns="churned"), db=db
        )
    doubled = labels.iloc[np.r_[0:10, 0:10]]
    with pytest.raises(DataError, match="repeated keys"):
        attach_labels(rules=rules, run_id="d1", labels=doubled, db=db)
    with pytest.raises(UsageError, match="no stored run 'd9'"):
        attach_labels(rules=rules, run_id="d9", labels=labels, db=db)


def test_run_with_labels_keeps_nothing(tmp_path, frame, setup):
    rules, db, _, _ = setup
    df = frame(200, seed=6)
    df["customer_id"] = [f"k{i}" for i in range(200)]
    report = modelhealth.check_run(
        rules=rules, run_id="d2", inputs=df, db=db, alert=False
    )
    auc = next(r for r in report.results if r.check_id == "live-auc")
    assert auc.status is not Status.SKIPPED
    with modelhealth.Store(db) as store:
        assert store.predictions("churn", "d2") is None
    with pytest.raises(DataError, match="no kept predictions"):
        attach_labels(rules=rules, run_id="d2", labels=df, db=db)


def test_cli_labels(setup, tmp_path, capsys):
    rules, db, labels, _ = setup
    path = tmp_path / "labels.csv"
    labels.to_csv(path, index=False)
    code = main(
        [
            "labels",
            "--rules",
            str(rules),
            "--run-id",
            "d1",
            "--labels",
            str(path),
            "--key",
            "customer_id",
            "--db",
            db,
            "--json",
        ]
    )
    assert code == 0
    assert '"check_id": "live-auc"' in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    labels.assign(customer_id="zz" + labels["customer_id"]).to_csv(bad, index=False)
    code = main(
        [
            "labels",
            "--rules",
            str(rules),
            "--run-id",
            "d1",
            "--labels",
            str(bad),
            "--db",
            db,
        ]
    )
    assert code == 3
    assert "none of the 1,000 label keys match" in capsys.readouterr().err


def test_a_metric_that_fails_with_late_labels_opens_an_incident(
    tmp_path, frame, capsys
):
    rules = tmp_path / "strict.yaml"
    rules.write_text(
        RULES.replace("min: 0.6, severity", "min: 0.99, severity")
        + "alerts:\n  - {channel: console, min_severity: critical}\n"
    )
    db = str(tmp_path / "m.db")
    df = frame(500, seed=7)
    df["customer_id"] = [f"c{i}" for i in range(len(df))]
    modelhealth.check_run(
        rules=rules, run_id="d1", inputs=df.drop(columns="churned"), db=db
    )
    report = attach_labels(rules=rules, run_id="d1", labels=df, db=db)
    assert not report.ok()
    with modelhealth.Store(db) as store:
        (incident,) = store.incidents("churn", status="open")
    assert incident.check_id == "live-auc"
    assert "live-auc" in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["parquet", "csv", "folder"])
def test_a_wide_labels_file_is_read_in_batches_of_its_two_columns(
    setup, tmp_path, kind, monkeypatch
):
    rules, db, labels, _ = setup
    wide = labels.assign(**{f"extra_{i}": np.arange(len(labels)) for i in range(5)})
    monkeypatch.setenv("MODELHEALTH_BATCH_ROWS", "128")
    if kind == "csv":
        path = tmp_path / "labels.csv"
        wide.to_csv(path, index=False)
    elif kind == "folder":
        path = tmp_path / "labels"
        path.mkdir()
        for i, start in enumerate(range(0, len(wide), 300)):
            wide.iloc[start : start + 300].to_parquet(path / f"part-{i}.parquet")
    else:
        path = tmp_path / "labels.parquet"
        wide.to_parquet(path, row_group_size=100)
    report = attach_labels(rules=rules, run_id="d1", labels=path, db=db)
    auc = next(r for r in report.results if r.check_id == "live-auc")
    assert auc.status is Status.PASSED
    assert auc.details["labels_matched"] == 1000
    from modelhealth.run.labels import _read_labels

    read = _read_labels(path, ["customer_id", "churned"])
    assert list(read.columns) == ["customer_id", "churned"]
    assert read["customer_id"].tolist() == labels["customer_id"].tolist()


@pytest.mark.parametrize("kind", ["parquet", "csv"])
def test_a_labels_file_without_the_label_column_names_its_columns(
    setup, tmp_path, kind
):
    rules, db, labels, _ = setup
    path = tmp_path / f"labels.{kind}"
    bare = labels.drop(columns="churned").assign(outcome=1)
    if kind == "csv":
        bare.to_csv(path, index=False)
    else:
        bare.to_parquet(path)
    with pytest.raises(
        DataError,
        match=r"the labels have no column 'churned' \(columns: customer_id, outcome\)",
    ):
        attach_labels(rules=rules, run_id="d1", labels=path, db=db)
