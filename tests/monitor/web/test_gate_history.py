"""The model page's gate history: candidate, champion, decision and what decided."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import numpy as np

from modelhealth.run.gate import evaluate_candidate
from modelhealth.store import Store
from tests.monitor.web.conftest import TestClient, make_app

RULES = textwrap.dedent(
    """\
    version: 1
    model: churn
    prediction: {column: score}
    label: {column: churned}
    checks:
      - {id: auc, kind: metric, metric: roc_auc, stage: pre_deployment, max_drop: 0.01}
    """
)


def test_the_model_page_lists_gate_verdicts(
    empty_store: Store, tmp_path: Path, frame: Any
) -> None:
    rules = tmp_path / "churn.yaml"
    rules.write_text(RULES)
    holdout = frame(3000, seed=2)
    rng = np.random.default_rng(0)
    worse = np.clip(holdout["score"] + rng.normal(0, 0.3, 3000), 0.001, 0.999)
    better = holdout.assign(score_v1=worse)
    kept = evaluate_candidate(
        rules=rules,
        candidate_version="v2",
        data=better,
        db=empty_store,
        champion_column="score_v1",
        champion_version="v1",
    )
    rejected = evaluate_candidate(
        rules=rules,
        candidate_version="v3",
        data=holdout.assign(score=worse, score_v1=holdout["score"]),
        db=empty_store,
        champion_column="score_v1",
        champion_version="v2",
    )
    with TestClient(make_app(empty_store)) as client:
        data = client.get("/models/churn.json").json()
        html = client.get("/models/churn").text
    newest, oldest = data["gates"]
    assert (newest["id"], oldest["id"]) == (rejected.pk, kept.pk)
    assert newest["decision"] == "failed"
    assert newest["against"] == "champion v2"
    assert (
        "worse than the champion by more than max_drop 0.01"
        in (newest["decided_by"][0])
    )
    assert oldest["decision"] == "passed"
    assert oldest["decided_by"][0].startswith("auc: roc_auc")
    assert "Gate history" in html
    assert "champion v1" in html
    assert kept.fingerprint is not None
    assert kept.fingerprint[:12] in html


def test_a_model_without_verdicts_says_how_to_get_one(empty_store: Store) -> None:
    empty_store.save_baseline("fresh", "v1", profile={}, metrics={}, row_count=10)
    with TestClient(make_app(empty_store)) as client:
        assert client.get("/models/fresh.json").json()["gates"] == []
        assert "No gate verdicts yet" in client.get("/models/fresh").text
