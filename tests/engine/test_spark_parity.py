"""The Spark engine gives the local engine's profile and verdicts (issue 11).

One run in partitioned Parquet (four part files and an empty one, so one Spark
partition has no rows), with nested columns and a category the reference never
saw, goes through :func:`scan_run` with each engine; the checks then run on
each scan the way the runner runs them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from modelhealth.checks.base import CheckContext, Reference
from modelhealth.checks.profile import QUANTILES
from modelhealth.checks.profiling import profile_frame
from modelhealth.config import load_rules
from modelhealth.engine import EngineSettings, RunData, get_engine, scan_run
from modelhealth.run.runner import run_checks
from tests.engine.data import entities, write_parts

RULES = """\
version: 1
model: churn
prediction: {column: score, task: binary_classification}
label: {column: churned}
checks:
  - id: feature-drift
    kind: drift
    columns: "*"
    exclude: [customer_id]
    method: psi
    threshold: {warn: 0.1, fail: 0.25}
  - id: score
    kind: prediction
    method: psi
    threshold: {warn: 0.1, fail: 0.2}
  - id: row-count
    kind: volume
    min_rows: 1000
  - id: data-quality
    kind: quality
    exclude: [customer_id, amounts, address]
    unseen: {max: {warn: 0.02, fail: 0.1}}
  - id: input-schema
    kind: schema
    columns:
      age: {dtype: int64, nullable: false, checks: {ge: 18, le: 120}}
      plan: {dtype: str, isin: [basic, pro, enterprise]}
"""

ROWS = 12_000


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory) -> Path:
    """The run: four Parquet parts and an empty one; ``plan`` has a new value."""
    data = entities(ROWS, seed=1, shift=0.4)
    data.loc[data.index % 97 == 0, "plan"] = "legacy"  # unseen in the reference
    data.loc[data.index % 89 == 0, "tenure"] = np.nan
    folder = tmp_path_factory.mktemp("run") / "features"
    return write_parts(data, folder, [2_000, 5_000, 9_500])


@pytest.fixture(scope="module")
def reference() -> Reference:
    profile = profile_frame(entities(ROWS, seed=0))
    return Reference(
        source="baseline", label="baseline v1", profile=profile, row_counts=(ROWS,)
    )


@pytest.fixture(scope="module")
def rules(tmp_path_factory):
    path = tmp_path_factory.mktemp("rules") / "churn.yaml"
    path.write_text(RULES)
    return load_rules(path)


def scan_both(spark, data: RunData, rules, reference):
    local = get_engine(EngineSettings(name="local", batch_rows=3_000))
    remote = get_engine(EngineSettings(name="spark", batch_rows=3_000))
    try:
        return (
            scan_run(local, data, rules, reference=reference),
            scan_run(remote, data, rules, reference=reference),
        )
    finally:
        remote.close()


def verdicts(scan, rules, reference):
    ctx = CheckContext(
        rule_set=rules,
        run_id="run-1",
        frame=scan.frame,
        profile=scan.profile,
        reference=reference,
        passes=scan.passes,
        row_count=scan.rows,
        sampled=scan.sampled,
    )
    return {(r.check_id, r.subject): (r.status, r.metrics) for r in run_checks(ctx)}


@pytest.fixture(scope="module")
def scans(spark, run_folder, rules, reference):
    return scan_both(spark, RunData(inputs=str(run_folder)), rules, reference)


def test_the_run_has_an_empty_partition(spark, run_folder):
    from pyspark.sql import functions as F

    run = spark.read.parquet(str(run_folder))
    filled = run.groupBy(F.spark_partition_id()).count().collect()
    assert len(filled) < run.rdd.getNumPartitions()
    assert sum(row["count"] for row in filled) == ROWS


def test_profiles_are_equal(scans):
    local, remote = scans
    assert remote.rows == local.rows == ROWS
    assert remote.columns == local.columns
    assert remote.profile.row_count == local.profile.row_count
    assert remote.profile.columns.keys() == local.profile.columns.keys()
    for name, mine in local.profile.columns.items():
        theirs = remote.profile.columns[name]
        assert theirs.kind == mine.kind, name
        assert (theirs.count, theirs.nulls, theirs.infinite) == (
            mine.count,
            mine.nulls,
            mine.infinite,
        ), name
        assert theirs.counts == mine.counts, name
        assert theirs.tails == pytest.approx(mine.tails, rel=1e-9), name
        assert theirs.categories == mine.categories, name
        assert theirs.other == mine.other, name
        assert (theirs.min, theirs.max) == (mine.min, mine.max), name
        if mine.mean is not None:
            assert theirs.mean == pytest.approx(mine.mean, rel=1e-9, abs=1e-12), name
            assert theirs.m2 == pytest.approx(mine.m2, rel=1e-9, abs=1e-12), name


def test_unseen_category_is_counted(scans):
    local, remote = scans
    plan = remote.profile.columns["plan"]
    assert plan.categories == local.profile.columns["plan"].categories
    assert plan.other + plan.categories.get("legacy", 0) >= ROWS // 97


def test_quantiles_within_the_sketch_bound(scans, run_folder):
    """Each quantile sits within 2% of its rank in the run's own values."""
    _, remote = scans
    data = pd.read_parquet(run_folder)
    for name in ("age", "tenure", "spend", "score"):
        values = np.sort(data[name].dropna().to_numpy(dtype=float))
        for key, value in remote.profile.columns[name].quantiles.items():
            level = QUANTILES[key]
            below = np.searchsorted(values, value, side="left") / len(values)
            upto = np.searchsorted(values, value, side="right") / len(values)
            assert below - 0.02 <= level <= upto + 0.02, (name, key, value)


def test_verdicts_are_equal(scans, rules, reference):
    local, remote = scans
    mine = verdicts(local, rules, reference)
    theirs = verdicts(remote, rules, reference)
    assert theirs.keys() == mine.keys()
    statuses = {key: status for key, (status, _) in mine.items()}
    assert {key: status for key, (status, _) in theirs.items()} == statuses
    for key, (_, metrics) in mine.items():
        assert theirs[key][1] == pytest.approx(metrics, rel=1e-9, abs=1e-12), key
    # the run is drifted and holds an unseen plan: not everything passes
    assert {s.value for s in statuses.values()} == {"passed", "warned", "failed"}
