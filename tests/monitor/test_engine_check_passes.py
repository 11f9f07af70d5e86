"""The kinds' row passes through the local engine: a Parquet file read in batches.

``scan_run`` plans the passes of ``metric``, ``expectations``, ``prediction`` and
``freshness``, the local engine streams the file through them, and the checks,
given the scan's frame, profile and passes, reach the verdicts of the whole frame,
with batches of the whole file, 1000 rows and 7, and when the engine's sample is
smaller than the run (issue 10).
"""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pandas as pd
import pytest

from modelhealth.checks import registry
from modelhealth.checks.base import CheckContext
from modelhealth.checks.expectations import ExpectationsParams
from modelhealth.checks.freshness import FreshnessParams
from modelhealth.checks.metric import MetricParams
from modelhealth.checks.prediction import PredictionParams
from modelhealth.checks.profiling import profile_frame
from modelhealth.engine.base import EngineSettings, RunData
from modelhealth.engine.local import LocalEngine
from modelhealth.engine.scan import scan_run
from modelhealth.rules.models import LabelSpec, PredictionSpec, RuleSet

NOW = datetime(2026, 12, 1, 12, tzinfo=timezone.utc)


def run_rows(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(11)
    x = rng.normal(size=n)
    score = 1 / (1 + np.exp(-2 * x))
    return pd.DataFrame(
        {
            "age": rng.integers(15, 90, n).astype("int64"),
            "plan": rng.choice(["basic", "pro", "max"], n),
            "at": (
                pd.Timestamp("2026-12-01T08:00:00Z")
                + pd.to_timedelta(rng.integers(0, 7200, n), unit="s")
            ).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "score": score,
            "churned": (rng.random(n) < score).astype("int64"),
        }
    )


def rules() -> RuleSet:
    return RuleSet(
        version=1,
        model="churn",
        prediction=PredictionSpec(column="score"),
        label=LabelSpec(column="churned"),
        checks=[
            MetricParams(id="auc", metric="roc_auc", min=0.7),
            MetricParams(id="f1", metric="f1", min=0.9),
            ExpectationsParams(
                id="gx",
                expectations=[
                    {
                        "expect_column_values_to_be_between": {
                            "column": "age",
                            "min_value": 18,
                        }
                    },
                    {
                        "expect_column_values_to_be_in_set": {
                            "column": "plan",
                            "value_set": ["basic", "pro", "max"],
                        }
                    },
                    {
                        "expect_column_mean_to_be_between": {
                            "column": "age",
                            "min_value": 40,
                            "max_value": 60,
                        }
                    },
                ],
            ),
            PredictionParams(id="pred", drift=False),
            FreshnessParams(id="fresh", column="at", max_age="3h"),
        ],
    )


def verdicts(ctx: CheckContext) -> list[tuple[str, str | None, str, float | None]]:
    out = []
    for params in ctx.rule_set.checks:
        check = registry.get(params.kind)(params)
        for r in check.run(ctx):
            value = None if r.value is None else round(r.value, 9)
            out.append((r.check_id, r.subject, r.status.value, value))
    return out


def whole_frame(frame: pd.DataFrame, rule_set: RuleSet) -> CheckContext:
    return CheckContext(
        rule_set=rule_set,
        run_id="r",
        frame=frame,
        profile=profile_frame(frame),
        reference=None,
        now=NOW,
    )


@pytest.mark.parametrize(
    ("n", "batch_rows", "sample_rows"),
    [
        (3000, 100_000, 250_000),
        (3000, 1000, 250_000),
        (150, 7, 250_000),
        (3000, 1000, 500),
    ],
    ids=["whole", "1000", "7", "sampled"],
)
def test_checks_on_scanned_batches_match_the_whole_frame(
    tmp_path, n, batch_rows, sample_rows
):
    frame = run_rows(n)
    path = tmp_path / "run.parquet"
    frame.to_parquet(path, index=False)
    rule_set = rules()
    engine = LocalEngine(EngineSettings(batch_rows=batch_rows, sample_rows=sample_rows))
    scan = scan_run(engine, RunData(inputs=str(path)), rule_set, reference=None)
    assert set(scan.passes) == {"auc", "f1", "gx", "pred", "fresh"}
    assert scan.sampled == (n > sample_rows)
    scanned = CheckContext(
        rule_set=rule_set,
        run_id="r",
        frame=scan.frame,
        profile=scan.profile,
        reference=None,
        now=NOW,
        passes=scan.passes,
        row_count=scan.rows,
        sampled=scan.sampled,
    )
    expected = verdicts(whole_frame(pd.read_parquet(path), rule_set))
    got = verdicts(scanned)
    assert got == expected
    assert {v[2] for v in expected} >= {"passed", "failed"}
