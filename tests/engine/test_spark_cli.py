"""``modelhealth check --engine spark`` on a folder of Parquet parts prints the
same ``--json`` verdicts as the default engine (issue 11's promise)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from modelhealth.cli import main

RULES = """\
version: 1
model: parts
prediction: {column: score, task: binary_classification}
label: {column: churned}
checks:
  - id: schema
    kind: schema
    columns:
      age: {dtype: int64, checks: {ge: 18, le: 120}}
      plan: {dtype: str, isin: [basic, pro]}
  - {id: drift, kind: drift}
  - {id: quality, kind: quality}
  - {id: rows, kind: volume, min_rows: 100}
  - {id: auc, kind: metric, metric: roc_auc, min: 0.6}
  - {id: score, kind: prediction}
"""


def _frame(rows: int, seed: int, shift: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 90, rows)
    score = np.clip(rng.beta(2, 5, rows) + shift, 0, 1)
    return pd.DataFrame(
        {
            "age": age,
            "spend": rng.gamma(2.0, 30.0, rows) * (1 + shift),
            "plan": rng.choice(["basic", "pro", "gold"], rows, p=[0.6, 0.39, 0.01]),
            "score": score,
            "churned": (rng.random(rows) < score).astype(int),
        }
    )


def _verdicts(output: str) -> list[tuple[str, str | None, str, float | None]]:
    report = json.loads(output)
    return [
        (r["check_id"], r["subject"], r["status"], r["value"])
        for r in report["results"]
    ]


@pytest.mark.usefixtures("spark")
def test_check_on_parts_gives_the_same_json_with_both_engines(tmp_path, capsys):
    (tmp_path / "rules.yaml").write_text(RULES)
    db = str(tmp_path / "mh.db")
    _frame(2000, seed=1).to_parquet(tmp_path / "reference.parquet")
    parts = tmp_path / "run"
    parts.mkdir()
    run = _frame(1500, seed=2, shift=0.1)
    for i, start in enumerate(range(0, 1500, 400)):
        run.iloc[start : start + 400].to_parquet(parts / f"part-{i}.parquet")
    rules = ["--rules", str(tmp_path / "rules.yaml"), "--db", db]
    reference = str(tmp_path / "reference.parquet")
    assert main(["baseline", *rules, "--data", reference]) == 0
    capsys.readouterr()
    outputs, codes = {}, {}
    for engine in ("local", "spark"):
        codes[engine] = main(
            ["check", *rules, "--run-id", f"r-{engine}", "--inputs", str(parts),
             "--engine", engine, "--json", "--no-alerts"]
        )  # fmt: skip
        outputs[engine] = _verdicts(capsys.readouterr().out)
    assert codes["spark"] == codes["local"]
    local, spark = outputs["local"], outputs["spark"]
    assert [v[:3] for v in spark] == [v[:3] for v in local]
    for (*_, mine), (*_, theirs) in zip(local, spark, strict=True):
        if mine is None:
            assert theirs is None
        else:
            assert theirs == pytest.approx(mine, rel=1e-6, abs=1e-9)
    statuses = {v[2] for v in local}
    assert "failed" in statuses  # the 1% 'gold' plan breaks the schema's isin
