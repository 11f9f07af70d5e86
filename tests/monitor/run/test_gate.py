"""The pre-deployment gate: a candidate on holdout data, against bounds and baseline."""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pytest

import modelhealth
from modelhealth.checks.base import CheckResult, Status
from modelhealth.cli.app import main
from modelhealth.errors import DataError, UsageError
from modelhealth.run.gate import evaluate_candidate

RULES = textwrap.dedent(
    """\
    version: 1
    model: churn
    prediction: {column: score}
    label: {column: churned}
    checks:
      - {id: auc, kind: metric, metric: roc_auc, min: 0.6, max_drop: 0.03, stage: both}
      - {id: brier, kind: metric, metric: brier, max: 0.3, stage: pre_deployment}
      - {id: live-acc, kind: metric, metric: accuracy, min: 0.5}
    """
)


@pytest.fixture
def rules(tmp_path):
    path = tmp_path / "churn.yaml"
    path.write_text(RULES)
    return path


def auc_of(df):
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(df["churned"], df["score"]))


def test_candidate_passes_without_a_baseline(rules, tmp_path, frame):
    db = str(tmp_path / "m.db")
    verdict = evaluate_candidate(
        rules=rules, candidate_version="v2", data=frame(2000), db=db
    )
    assert verdict.passed
    assert [r.check_id for r in verdict.results] == ["auc", "brier"]
    assert verdict.baseline_version is None
    assert set(verdict.metrics) == {"roc_auc", "brier"}
    with modelhealth.Store(db) as store:
        (stored,) = store.gate_verdicts("churn")
        assert store.runs("churn") == []  # a verdict is not a production run
    assert stored.pk == verdict.pk
    assert stored.passed
    assert stored.candidate_version == "v2"
    assert stored.results[0]["check_id"] == "auc"


def test_candidate_worse_than_the_baseline_fails(rules, tmp_path, frame):
    db = str(tmp_path / "m.db")
    holdout = frame(2000, seed=8)
    auc = auc_of(holdout)
    modelhealth.register_baseline(
        rules=rules,
        data=frame(1000),
        metrics={"roc_auc": auc + 0.05},
        model_version="v1",
        db=db,
    )
    verdict = evaluate_candidate(
        rules=rules, candidate_version="v2", data=holdout, db=db
    )
    assert not verdict.passed
    assert verdict.baseline_version == "v1"
    auc_result = verdict.results[0]
    assert auc_result.status is Status.FAILED
    assert auc_result.metrics["drop"] == pytest.approx(0.05)
    modelhealth.register_baseline(
        rules=rules,
        data=frame(1000),
        metrics={"roc_auc": auc + 0.01},
        model_version="v1b",
        db=db,
    )
    assert evaluate_candidate(
        rules=rules, candidate_version="v2", data=holdout, db=db
    ).passed


def test_bad_input(rules, tmp_path, frame):
    db = str(tmp_path / "m.db")
    with pytest.raises(DataError, match="no label column 'churned'"):
        evaluate_candidate(
            rules=rules,
            candidate_version="v2",
            data=frame(10).drop(columns="churned"),
            db=db,
        )
    no_gate = tmp_path / "live.yaml"
    no_gate.write_text(
        RULES.replace("stage: both", "").replace("stage: pre_deployment", "")
    )
    with pytest.raises(
        UsageError, match="no metric check with stage: pre_deployment or both"
    ):
        evaluate_candidate(rules=no_gate, candidate_version="v2", data=frame(10), db=db)


def test_cli_gate_exit_codes(rules, tmp_path, frame, capsys):
    db = str(tmp_path / "m.db")
    holdout = frame(2000, seed=8)
    path = tmp_path / "holdout.parquet"
    holdout.to_parquet(path)
    args = [
        "gate",
        "--rules",
        str(rules),
        "--candidate-version",
        "v2",
        "--data",
        str(path),
        "--db",
        db,
    ]
    assert main(args) == 0
    assert (
        "PASS churn v2: 2,000 holdout rows (no baseline registered)"
        in capsys.readouterr().out
    )
    modelhealth.register_baseline(
        rules=rules, data=holdout, metrics={"roc_auc": auc_of(holdout) + 0.1}, db=db
    )
    assert main([*args, "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["passed"] is False
    assert out["baseline_version"] == "default"
    missing = [str(tmp_path / "missing.parquet") if a == str(path) else a for a in args]
    assert main(missing) == 3


WHOLE = textwrap.dedent(
    """\
    version: 1
    model: churn
    prediction: {column: score}
    label: {column: churned}
    checks:
      - id: input-schema
        kind: schema
        columns:
          age: {dtype: int64, checks: {ge: 18}}
          spend: {dtype: float64}
          region: {dtype: str}
      - {id: spend-drift, kind: drift, columns: [spend], threshold: {fail: 0.25}}
      - {id: score-dist, kind: prediction, threshold: {fail: 0.5}}
      - {id: rows, kind: volume, min_rows: 1000000}
      - {id: on-time, kind: freshness, max_age: 1h}
      - {id: serving-skew, kind: skew, key: age}
      - id: auc
        kind: metric
        metric: roc_auc
        stage: pre_deployment
        max_drop: 0.05
        segment_by: [region]
    """
)


def test_the_whole_rules_file_runs_on_the_holdout(tmp_path, frame):
    """Issue 17: schema, drift against the baseline, prediction checks and metrics
    per segment, for candidate and champion; volume, freshness and skew (a holdout
    is not served, and has no offline copy) are left out."""
    rules = tmp_path / "whole.yaml"
    rules.write_text(WHOLE)
    db = str(tmp_path / "m.db")
    modelhealth.register_baseline(rules=rules, data=frame(3000), db=db)
    rng = np.random.default_rng(4)
    holdout = frame(3000, seed=5, shift=1.5)
    holdout["score_v1"] = np.clip(holdout["score"] + rng.normal(0, 0.05, 3000), 0, 1)
    verdict = evaluate_candidate(
        rules=rules,
        candidate_version="v2",
        data=holdout,
        db=db,
        champion_column="score_v1",
    )
    by_id: dict[str, list[CheckResult]] = {}
    for r in verdict.results:
        by_id.setdefault(r.check_id, []).append(r)
    assert list(by_id) == ["input-schema", "spend-drift", "score-dist", "auc"]
    assert by_id["spend-drift"][0].status is Status.FAILED  # unlike production
    assert not verdict.passed
    segments = {r.subject: r for r in by_id["auc"]}
    # the whole holdout first (issue 15: it names the segments behind a drop)
    assert set(segments) == {None, "region=eu", "region=us", "region=apac"}
    assert {"champion", "drop_low", "drop_high"} <= set(segments.pop(None).metrics)
    for r in segments.values():
        assert {"champion", "drop_low", "drop_high"} <= set(r.metrics)
        assert r.metrics["rows"] == r.details["segment_rows"]
    with modelhealth.Store(db) as store:
        stored = store.gate_verdict(verdict.pk or 0)
    assert stored is not None
    # the champion's column is not part of the holdout that would become a baseline
    assert "score_v1" not in stored.profile["columns"]
    assert "spend" in stored.profile["columns"]


def test_promotion_from_a_passed_gate_only(rules, tmp_path, frame, capsys):
    db = str(tmp_path / "m.db")
    holdout = frame(2000, seed=8)
    modelhealth.register_baseline(
        rules=rules,
        data=frame(1000),
        metrics={"roc_auc": 0.5},
        model_version="v1",
        db=db,
    )
    good = evaluate_candidate(rules=rules, candidate_version="v2", data=holdout, db=db)
    modelhealth.register_baseline(
        rules=rules,
        data=frame(1000),
        metrics={"roc_auc": 0.99},
        model_version="v1",
        db=db,
    )
    bad = evaluate_candidate(rules=rules, candidate_version="v3", data=holdout, db=db)
    assert good.passed
    assert not bad.passed
    base = ["baseline", "--rules", str(rules), "--db", db, "--from-gate"]
    assert main([*base, str(bad.pk)]) == 2
    err = capsys.readouterr().err
    assert f"gate verdict {bad.pk} of model 'churn' (candidate 'v3') failed" in err
    assert "auc" in err
    assert main([*base, "999"]) == 2
    assert "no gate verdict 999" in capsys.readouterr().err
    other = tmp_path / "other.parquet"
    frame(2000, seed=9).to_parquet(other)
    assert main([*base, str(good.pk), "--data", str(other)]) == 3
    assert "its fingerprint differs" in capsys.readouterr().err
    assert main([*base, str(good.pk)]) == 0
    assert "registered baseline 'v2' for model 'churn' from gate verdict" in (
        capsys.readouterr().out
    )
    with modelhealth.Store(db) as store:
        promoted = store.baseline("churn")
    assert promoted is not None
    assert promoted.version == "v2"
    assert promoted.row_count == 2000
    assert promoted.metrics == pytest.approx(dict(good.metrics))
    assert promoted.details["gate_verdict"] == good.pk
    assert set(promoted.profile["columns"]) >= {"age", "spend", "score"}


def test_promotion_fits_on_the_same_holdout_file(rules, tmp_path, frame, capsys):
    db = str(tmp_path / "m.db")
    path = tmp_path / "holdout.parquet"
    frame(2000, seed=8).to_parquet(path)
    args = ["--rules", str(rules), "--db", db]
    assert main(["gate", *args, "--candidate-version", "v2", "--data", str(path)]) == 0
    capsys.readouterr()
    assert main(["baseline", *args, "--from-gate", "1", "--data", str(path)]) == 0
    assert "from gate verdict 1 (passed" in capsys.readouterr().out
    with modelhealth.Store(db) as store:
        promoted = store.baseline("churn")
    assert promoted is not None
    assert promoted.details["gate_verdict"] == 1
