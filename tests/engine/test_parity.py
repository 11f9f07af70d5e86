"""Every check kind gives the same verdicts whatever the batch size.

The same rules (every kind, examples/rules.yaml's spirit) check the same run
read whole (one batch), in batches of 1,000 rows and in batches of 97 rows, and
as a folder of Parquet parts; the results must agree: status, subject and value
(to 1e-9; drift values from merged histograms are exact, and quantile-based
values within the sketch's bound).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import modelhealth
from modelhealth.config import load_rules
from modelhealth.engine import EngineSettings

RULES = """\
version: 1
model: parity
prediction: {column: score, task: binary_classification}
label: {column: churned}
reference: {baseline: latest}
checks:
  - id: input-schema
    kind: schema
    strict: false
    columns:
      customer_id: {dtype: str, unique: true, nullable: false}
      age: {dtype: int64, nullable: false, checks: {ge: 18, le: 120}}
      monthly_spend: {dtype: float64, checks: {ge: 0}}
      plan: {dtype: str, isin: [basic, pro, enterprise]}
      score: {dtype: float64, checks: {ge: 0, le: 1}}
  - id: feature-drift
    kind: drift
    columns: "*"
    exclude: [customer_id]
    max_drifted_share: {warn: 0.2, fail: 0.5}
  - id: psi-drift
    kind: drift
    columns: [age, monthly_spend, plan]
    method: psi
  - id: ks-drift
    kind: drift
    columns: [monthly_spend]
    method: ks
  - id: row-count
    kind: volume
    min_rows: 1000
  - id: input-expectations
    kind: expectations
    expectations:
      - expect_column_values_to_not_be_null: {column: customer_id}
      - expect_column_values_to_be_between:
          {column: age, min_value: 18, max_value: 120, mostly: 0.99}
  - id: score
    kind: prediction
    threshold: {warn: 0.1, fail: 0.2}
    positive_rate: {min: 0.02, max: 0.6}
  - id: live-auc
    kind: metric
    metric: roc_auc
    min: 0.75
    max_drop: 0.03
  - id: live-f1
    kind: metric
    metric: f1
    min: 0.2
  - id: auc-by-plan
    kind: metric
    metric: roc_auc
    min: 0.7
    segment_by: [plan]
  - id: data-quality
    kind: quality
    exclude: [customer_id]
  - id: joint-drift
    kind: multivariate_drift
    exclude: [customer_id]
  - id: estimated-auc
    kind: estimated_metric
    metric: roc_auc
    min: 0.6
"""


def _frame(rows: int, seed: int, shift: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 90, rows)
    spend = rng.gamma(2.0, 30.0, rows) * (1 + shift)
    plan = rng.choice(["basic", "pro", "enterprise"], rows, p=[0.6, 0.3, 0.1])
    logit = -2 + 0.02 * (age - 50) + 0.01 * spend + shift
    p = 1 / (1 + np.exp(-logit))
    churned = (rng.random(rows) < p).astype(int)
    score = np.clip(p + rng.normal(0, 0.05, rows), 0, 1)
    frame = pd.DataFrame(
        {
            "customer_id": [f"c{seed}-{i}" for i in range(rows)],
            "age": age,
            "monthly_spend": spend,
            "plan": plan,
            "score": score,
            "churned": churned,
        }
    )
    frame.loc[frame.index[::50], "monthly_spend"] = np.nan
    return frame


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    root = tmp_path_factory.mktemp("parity")
    rules_file = root / "rules.yaml"
    rules_file.write_text(RULES)
    rule_set = load_rules(rules_file)
    db = f"sqlite:///{root / 'parity.db'}"
    modelhealth.register_baseline(
        rules=rule_set,
        data=_frame(5000, seed=1),
        metrics={"roc_auc": 0.8},
        db=db,
    )
    run = _frame(3000, seed=2, shift=0.15)
    parts = root / "parts"
    parts.mkdir()
    for i, start in enumerate(range(0, len(run), 700)):
        run.iloc[start : start + 700].to_parquet(parts / f"part-{i}.parquet")
    reports = {}
    for name, inputs, batch_rows in [
        ("whole", run, 10_000),
        ("by-1000", run, 1000),
        ("by-97", run, 97),
        ("parts", parts, 1000),
    ]:
        reports[name] = modelhealth.check_run(
            rules=rule_set,
            run_id=f"run-{name}",
            inputs=inputs,
            db=db,
            alert=False,
            engine=EngineSettings(batch_rows=batch_rows),
        )
    return reports


def _verdicts(report) -> dict[tuple[str, str | None], tuple[str, float | None]]:
    return {(r.check_id, r.subject): (r.status.value, r.value) for r in report.results}


@pytest.mark.parametrize("name", ["by-1000", "by-97", "parts"])
def test_every_kind_gives_the_same_verdicts(checked, name):
    whole = _verdicts(checked["whole"])
    other = _verdicts(checked[name])
    assert set(other) == set(whole)
    kinds = {r.kind for r in checked["whole"].results}
    assert kinds >= {
        "schema", "drift", "volume", "expectations", "prediction", "metric",
        "quality", "multivariate_drift", "estimated_metric",
    }  # fmt: skip
    for key, (status, value) in whole.items():
        other_status, other_value = other[key]
        assert other_status == status, (key, status, other_status)
        if value is None or other_value is None:
            assert value == other_value, key
        elif math.isfinite(value):
            assert other_value == pytest.approx(value, rel=1e-6, abs=1e-9), key


def test_the_run_is_not_all_passed(checked):
    """The parity is not vacuous: the shifted run fails or warns somewhere."""
    statuses = {r.status.value for r in checked["whole"].results}
    assert statuses & {"failed", "warned"}


def test_row_counts_and_profiles_agree(checked):
    whole = checked["whole"]
    for name in ("by-1000", "by-97", "parts"):
        report = checked[name]
        assert report.row_count == whole.row_count == 3000
        for column, data in whole.profile["columns"].items():
            theirs = report.profile["columns"][column]
            for key in ("count", "nulls", "counts"):
                assert theirs[key] == data[key], (name, column, key)
            if not data["other"]:  # categories kept whole merge exactly
                assert theirs["categories"] == data["categories"], (name, column)
            if data["mean"] is not None:
                assert theirs["mean"] == pytest.approx(data["mean"], rel=1e-9)
