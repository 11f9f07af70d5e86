"""The gate over HTTP, against uvicorn on loopback: run one, read the verdicts."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd

from modelhealth.service.http import ServiceSettings
from tests.monitor.service.conftest import WRITE

AUTH = {"Authorization": f"Bearer {WRITE}"}
RULES = textwrap.dedent(
    """\
    version: 1
    model: scorer
    prediction: {column: score}
    label: {column: churned, key: id}
    checks:
      - {id: auc, kind: metric, metric: roc_auc, stage: pre_deployment, max_drop: 0.02}
    """
)


def _holdout(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, n)
    return pd.DataFrame(
        {
            "id": np.arange(n),
            "score": np.clip(0.5 * y + 0.5 * rng.random(n), 0, 1),
            "score_v1": np.clip(0.2 * y + 0.8 * rng.random(n), 0, 1),
            "churned": y,
        }
    )


def test_run_a_gate_and_read_its_verdict(
    serve: Callable[..., Any],
    settings: ServiceSettings,
    rules_dir: Path,
    data_root: Path,
) -> None:
    (rules_dir / "scorer.yaml").write_text(RULES)
    _holdout(5000).to_parquet(data_root / "holdout.parquet")
    served = serve(settings)
    with httpx.Client(base_url=served.url, timeout=60) as client:
        body = {
            "candidate_version": "v2",
            "data": {"path": "holdout.parquet"},
            "champion_column": "score_v1",
            "champion_version": "v1",
        }
        made = client.post("/api/v1/models/scorer/gates", json=body, headers=AUTH)
        assert made.status_code == 201, made.text
        verdict = made.json()["verdict"]
        assert verdict["decision"] == "passed"
        assert verdict["champion"] == "v1"
        assert verdict["results"][0]["details"]["method"] == "delong"
        assert made.headers["location"] == made.json()["url"]
        one = client.get(made.json()["url"]).json()["verdict"]
        assert one["id"] == verdict["id"]
        assert one["champion_metrics"]["roc_auc"] < one["metrics"]["roc_auc"]
        assert "profile" not in one
        listed = client.get("/api/v1/models/scorer/gates").json()["verdicts"]
        assert [v["id"] for v in listed] == [verdict["id"]]

        inline = _holdout(200).drop(columns="churned").assign(churned=None)
        refused = client.post(
            "/api/v1/models/scorer/gates",
            json={**body, "data": {"records": inline.to_dict(orient="records")}},
            headers=AUTH,
        )
        assert refused.status_code == 400
        assert "none of the 200 holdout rows has a label" in refused.json()["error"]
        assert client.get("/api/v1/gates/999").status_code == 404
        unknown = client.post("/api/v1/models/nope/gates", json=body, headers=AUTH)
        assert unknown.status_code == 404
        assert client.post("/api/v1/models/scorer/gates", json=body).status_code == 401
