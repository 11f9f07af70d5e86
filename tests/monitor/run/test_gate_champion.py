"""The gate with a champion: candidate and current model on the same holdout rows.

The holdouts are binormal: a positive row's score is ``mu`` higher than a
negative's, with noise the two models partly share, so each model's true ROC AUC
is ``Phi(mu / sqrt(2))`` and the size of the true difference is known. A candidate
that is better passes at any size; one that is worse by more than ``max_drop`` is
inconclusive on 1,000 rows and fails on 20,000; one as good as the champion is
inconclusive on 1,000 rows and passes on 20,000 (issue 17).
"""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pandas as pd
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
    label: {column: churned, key: id}
    checks:
      - id: auc
        kind: metric
        metric: roc_auc
        stage: pre_deployment
        severity: critical
        max_drop: 0.01
      - {id: brier, kind: metric, metric: brier, stage: both, max_drop: 0.02}
      - {id: live-auc, kind: metric, metric: roc_auc, min: 0.5}
    """
)
MU = {"better": 1.4, "worse": 0.85, "same": 1.0}  # the champion's mu is 1.0


def holdout(n, case, seed=0):
    """Rows with the candidate's ``score`` and the champion's ``score_v1``."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype("int64")
    noise = rng.multivariate_normal([0, 0], [[1, 0.6], [0.6, 1]], size=n)
    logistic = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731 - keeps AUC, is a score
    return pd.DataFrame(
        {
            "id": np.arange(n),
            "x": rng.normal(size=n),
            "score": logistic(MU[case] * y + noise[:, 0] - 1),
            "score_v1": logistic(1.0 * y + noise[:, 1] - 1),
            "churned": y,
        }
    )


@pytest.fixture
def rules(tmp_path):
    path = tmp_path / "churn.yaml"
    path.write_text(RULES)
    return path


def gate(rules, data, tmp_path, **kw):
    return evaluate_candidate(
        rules=rules,
        candidate_version="v2",
        data=data,
        db=str(tmp_path / "m.db"),
        **({"champion_column": "score_v1"} | kw),
    )


@pytest.mark.parametrize(
    ("case", "rows", "decision", "auc_status"),
    [
        ("better", 1_000, "passed", Status.PASSED),
        ("better", 20_000, "passed", Status.PASSED),
        ("worse", 1_000, "inconclusive", Status.WARNED),
        ("worse", 20_000, "failed", Status.FAILED),
        ("same", 1_000, "inconclusive", Status.WARNED),
        ("same", 20_000, "passed", Status.PASSED),
    ],
)
def test_better_worse_and_indistinguishable_at_two_sizes(
    rules, tmp_path, case, rows, decision, auc_status
):
    verdict = gate(rules, holdout(rows, case), tmp_path)
    assert verdict.decision == decision
    assert verdict.passed is (decision != "failed")
    auc = next(r for r in verdict.results if r.check_id == "auc")
    assert auc.status is auc_status
    assert auc.details["method"] == "delong"
    assert auc.metrics["rows"] == rows
    assert auc.metrics["drop_low"] < auc.metrics["drop"] < auc.metrics["drop_high"]
    assert auc.metrics["champion"] == pytest.approx(verdict.champion_metrics["roc_auc"])
    brier = next(r for r in verdict.results if r.check_id == "brier")
    assert brier.details["method"] == "paired_bootstrap"
    assert [r.check_id for r in verdict.results] == ["auc", "brier"]
    with modelhealth.Store(str(tmp_path / "m.db")) as store:
        stored = store.gate_verdict(verdict.pk)
    assert stored is not None
    assert stored.decision == decision
    assert stored.champion == "column 'score_v1'"
    assert stored.champion_metrics == pytest.approx(dict(verdict.champion_metrics))
    assert stored.fingerprint == verdict.fingerprint
    assert len(stored.fingerprint or "") == 64
    assert stored.results[0]["metrics"]["drop_high"] == auc.metrics["drop_high"]
    assert stored.profile["row_count"] == rows


def test_fail_on_warning_blocks_an_inconclusive_gate(rules, tmp_path):
    data = holdout(1_000, "same")
    assert gate(rules, data, tmp_path).passed
    blocked = gate(rules, data, tmp_path, fail_on="warning")
    assert blocked.decision == "failed"
    # --fail-on critical ignores the warning-severity brier check's failure
    worse = holdout(20_000, "worse")
    assert not gate(rules, worse, tmp_path, fail_on="critical").passed
    assert gate(rules, worse, tmp_path, fail_on="never").passed


def test_champion_predictions_joined_from_a_file(rules, tmp_path):
    data = holdout(2_000, "better")
    champ = data[["id", "score_v1"]].rename(columns={"score_v1": "score"})
    path = tmp_path / "champion.parquet"
    champ.sample(frac=1, random_state=1).iloc[:1_800].to_parquet(path)
    joined = evaluate_candidate(
        rules=rules,
        candidate_version="v2",
        data=data.drop(columns="score_v1"),
        champion_predictions=path,
        champion_version="v1",
        db=str(tmp_path / "m.db"),
    )
    by_column = gate(rules, data, tmp_path)
    auc = joined.results[0]
    assert joined.champion == "v1"
    assert auc.metrics["rows"] == 1_800  # rows without a champion prediction left out
    assert auc.metrics["champion"] != by_column.results[0].metrics["champion"]
    assert joined.passed


def test_bad_champions_and_holdouts_get_clear_messages(rules, tmp_path):
    data = holdout(500, "better")
    with pytest.raises(DataError, match="no champion column 'score_v0'"):
        gate(rules, data, tmp_path, champion_column="score_v0")
    with pytest.raises(
        UsageError, match="same predictions as the candidate on all 500"
    ):
        gate(rules, data.assign(score_v1=data["score"]), tmp_path)
    classes = data.assign(score_v1=(data["score_v1"] > 0.5).astype("int64"))
    with pytest.raises(UsageError, match="does not hold scores like the candidate"):
        gate(rules, classes, tmp_path)
    with pytest.raises(DataError, match="none of the 500 holdout rows has a label"):
        gate(rules, data.assign(churned=np.nan), tmp_path)
    dup = pd.DataFrame({"id": [1, 1], "score": [0.1, 0.2]})
    with pytest.raises(DataError, match="repeat the key 'id' = 1"):
        gate(rules, data, tmp_path, champion_column=None, champion_predictions=dup)
    other = pd.DataFrame({"id": [-1, -2], "score": [0.1, 0.2]})
    with pytest.raises(DataError, match="no holdout row's 'id' is in the champion"):
        gate(rules, data, tmp_path, champion_column=None, champion_predictions=other)


def test_unlabelled_rows_and_too_few_rows(rules, tmp_path):
    data = holdout(1_000, "better")
    data.loc[:99, "churned"] = np.nan
    verdict = gate(rules, data, tmp_path)
    assert verdict.unlabelled_rows == 100
    assert verdict.results[0].metrics["rows"] == 900
    tiny = gate(rules, holdout(20, "better"), tmp_path)
    assert tiny.decision == "failed"  # never a silent pass
    assert tiny.results[0].status is Status.ERRORED
    assert (
        "20 rows with a label and both models' predictions" in tiny.results[0].message
    )
    assert "needs at least 30" in tiny.results[0].message


def test_cli_shows_the_comparison_and_json(rules, tmp_path, capsys):
    path = tmp_path / "holdout.parquet"
    holdout(20_000, "worse").to_parquet(path)
    args = ["gate", "-r", str(rules), "--candidate-version", "v2", "--data", str(path)]
    args += ["--db", str(tmp_path / "m.db"), "--champion-column", "score_v1"]
    assert main(args) == 1
    out = capsys.readouterr().out
    assert (
        "FAIL churn v2: 20,000 holdout rows against champion column 'score_v1'" in out
    )
    assert "worse than the champion by more than max_drop 0.01" in out
    assert "DeLong" in out
    assert main([*args, "--json", "--fail-on", "never"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["decision"] == "passed"
    assert doc["fail_on"] == "never"
    assert doc["champion_metrics"]["roc_auc"] < 0.8
    assert doc["results"][0]["metrics"]["drop_low"] > 0.01
    assert main([*args, "--champion-column", "nope"]) == 3
    assert "no champion column 'nope'" in capsys.readouterr().err
