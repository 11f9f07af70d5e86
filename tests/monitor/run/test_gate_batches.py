"""The gate reads its holdout in batches and reaches the whole frame's verdict."""

from __future__ import annotations

import textwrap

import pandas as pd
import pytest

import modelhealth
from modelhealth.run.champion import fingerprint
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
      - {id: drift, kind: drift}
      - {id: quality, kind: quality}
    """
)


def _verdict(tmp_path, holdout, monkeypatch, batch_rows: str, name: str):
    rules = tmp_path / "churn.yaml"
    rules.write_text(RULES)
    db = str(tmp_path / f"{name}.db")
    reference = pd.read_parquet(holdout).iloc[:1000]
    modelhealth.register_baseline(
        rules=rules, data=reference, metrics={"roc_auc": 0.7}, db=db
    )
    monkeypatch.setenv("MODELHEALTH_BATCH_ROWS", batch_rows)  # the gate's reading
    return evaluate_candidate(
        rules=rules,
        candidate_version="v2",
        data=holdout,
        db=db,
        champion_column="score_v1",
    )


def test_a_holdout_in_batches_gets_the_whole_frames_verdict(
    tmp_path, frame, monkeypatch
):
    holdout = frame(3000, seed=8)
    holdout["score_v1"] = (holdout["score"] * 0.7 + 0.15).clip(0, 1)
    path = tmp_path / "holdout.parquet"
    holdout.to_parquet(path)
    whole = _verdict(tmp_path, path, monkeypatch, "100000", "whole")
    batches = _verdict(tmp_path, path, monkeypatch, "97", "batches")
    assert batches.decision == whole.decision
    assert [(r.check_id, r.subject, r.status) for r in batches.results] == [
        (r.check_id, r.subject, r.status) for r in whole.results
    ]
    for mine, theirs in zip(whole.results, batches.results, strict=True):
        if mine.value is not None:
            assert theirs.value == pytest.approx(mine.value, rel=1e-9)
    assert batches.metrics == pytest.approx(whole.metrics)
    assert (
        batches.fingerprint == whole.fingerprint == fingerprint(pd.read_parquet(path))
    )
    assert batches.row_count == 3000
    assert {r.kind for r in whole.results} >= {"metric", "drift", "quality"}
