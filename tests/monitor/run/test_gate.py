"""The pre-deployment gate: a candidate on holdout data, against bounds and baseline."""

from __future__ import annotations

import json
import textwrap

import pytest

import modelhealth
from modelhealth.checks.base import Status
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
