"""The Spark engine's inputs and session: DataFrames, tables, joined parts, map
columns, and a session it found or started (issue 11)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from modelhealth.checks.base import Reference
from modelhealth.checks.profiling import profile_frame
from modelhealth.config import load_rules
from modelhealth.engine import EngineSettings, RunData, get_engine, scan_run
from modelhealth.engine.spark import SparkEngine
from modelhealth.errors import DataError, UsageError
from tests.engine.data import entities, write_parts

RULES = """\
version: 1
model: churn
prediction: {column: score}
label: {column: churned, key: customer_id}
checks:
  - {id: rows, kind: volume, min_rows: 1}
"""


@pytest.fixture(scope="module")
def rules(tmp_path_factory):
    path = tmp_path_factory.mktemp("rules") / "churn.yaml"
    path.write_text(RULES)
    return load_rules(path)


@pytest.fixture
def engine(spark):
    engine = get_engine(EngineSettings(name="spark", batch_rows=500))
    yield engine
    engine.close()


def baseline(frame: pd.DataFrame) -> Reference:
    """A reference profiled from ``frame``: one scan per engine, binned alike."""
    return Reference(source="baseline", label="baseline", profile=profile_frame(frame))


def same_columns(local, remote, *, exact_histograms: bool = True) -> None:
    """Counts, categories and moments agree column by column."""
    assert remote.rows == local.rows
    assert list(remote.profile.columns) == list(local.profile.columns)
    for name, mine in local.profile.columns.items():
        theirs = remote.profile.columns[name]
        assert (theirs.kind, theirs.count, theirs.nulls) == (
            mine.kind,
            mine.count,
            mine.nulls,
        ), name
        assert theirs.categories == mine.categories, name
        if exact_histograms:
            assert theirs.counts == mine.counts, name
        else:
            assert sum(theirs.counts) == sum(mine.counts), name
        if mine.mean is not None:
            assert theirs.mean == pytest.approx(mine.mean, rel=1e-9), name


def test_a_dataframe_with_empty_partitions_and_no_reference(spark, engine, rules):
    """Without a reference the run is binned on its own sketched edges; six
    partitions of 40 rows leave none empty-handed in the merge."""
    data = entities(40, seed=3).drop(columns=["amounts", "address"])
    frame = spark.createDataFrame(data).repartition(6)
    remote = scan_run(engine, RunData(inputs=frame), rules, reference=None)
    local = scan_run(get_engine("local"), RunData(inputs=data), rules, reference=None)
    same_columns(local, remote, exact_histograms=False)
    assert sorted(remote.frame["customer_id"]) == sorted(data["customer_id"])


def test_a_table_by_name(spark, engine, rules, tmp_path):
    data = entities(300, seed=4)
    spark.createDataFrame(
        data.drop(columns=["amounts", "address"])
    ).createOrReplaceTempView("features_today")
    ref = baseline(data)
    remote = scan_run(
        engine, RunData(inputs="table:features_today"), rules, reference=ref
    )
    assert remote.rows == 300
    assert remote.profile.columns["spend"].mean == pytest.approx(
        data["spend"].mean(), rel=1e-9
    )


def test_an_empty_run_names_its_columns(spark, engine, rules, tmp_path):
    data = entities(10, seed=5)
    folder = write_parts(data.iloc[:0], tmp_path / "empty", [])
    ref = baseline(data)
    remote = scan_run(engine, RunData(inputs=str(folder)), rules, reference=ref)
    local = scan_run(
        get_engine("local"), RunData(inputs=str(folder)), rules, reference=ref
    )
    assert remote.rows == local.rows == 0
    assert remote.columns == local.columns
    assert list(remote.profile.columns) == list(local.profile.columns)


def test_map_columns(spark, engine, rules, tmp_path):
    """A ``map<string, double>`` column comes through Spark's own map type."""
    rng = np.random.default_rng(6)
    limits = [
        [
            (k, float(v))
            for k, v in zip(["atm", "web"][: n % 3], rng.random(2), strict=False)
        ]
        for n in range(200)
    ]
    table = pa.table(
        {
            "customer_id": [f"c{i}" for i in range(200)],
            "limits": pa.array(limits, type=pa.map_(pa.string(), pa.float64())),
            "spend": rng.normal(size=200),
        }
    )
    folder = tmp_path / "maps"
    folder.mkdir()
    pq.write_table(table.slice(0, 120), folder / "part-0.parquet")
    pq.write_table(table.slice(120), folder / "part-1.parquet")
    assert "map" in spark.read.parquet(str(folder)).schema["limits"].dataType.typeName()
    # the reference as Arrow reads it: pandas would turn the map into lists of
    # pairs (limits[]), Arrow and Spark keep a map (limits{key}, limits{value})
    whole = scan_run(
        get_engine("local"), RunData(inputs=str(folder)), rules, reference=None
    )
    ref = Reference(source="baseline", label="baseline", profile=whole.profile)
    local = scan_run(
        get_engine("local"), RunData(inputs=str(folder)), rules, reference=ref
    )
    remote = scan_run(engine, RunData(inputs=str(folder)), rules, reference=ref)
    same_columns(local, remote)


def keyed_parts(tmp_path, n=400):
    data = entities(n, seed=7).drop(columns=["amounts", "address"])
    inputs = write_parts(
        data.drop(columns=["score", "churned"]), tmp_path / "in", [150]
    )
    predictions = tmp_path / "predictions.parquet"
    shuffled = data.sample(frac=1.0, random_state=1)
    shuffled[["customer_id", "score"]].to_parquet(predictions, index=False)
    labels = tmp_path / "labels.parquet"
    shuffled[["customer_id", "churned"]].iloc[: n // 2].to_parquet(labels, index=False)
    return data, str(inputs), str(predictions), str(labels)


def test_predictions_and_labels_join_on_the_key(spark, engine, rules, tmp_path):
    data, inputs, predictions, labels = keyed_parts(tmp_path)
    run = RunData(
        inputs=inputs, predictions=predictions, labels=labels, key="customer_id"
    )
    ref = baseline(data)
    local = scan_run(get_engine("local"), run, rules, reference=ref)
    remote = scan_run(engine, run, rules, reference=ref)
    assert remote.columns == local.columns
    same_columns(local, remote)
    assert remote.profile.columns["churned"].nulls == len(data) // 2
    joined = remote.frame.set_index("customer_id")["score"]
    assert (
        joined.sort_index().tolist()
        == data.set_index("customer_id")["score"].sort_index().tolist()
    )


def test_a_join_needs_a_key(spark, engine, rules, tmp_path):
    _, inputs, predictions, _ = keyed_parts(tmp_path)
    with pytest.raises(UsageError, match=r"on a key column.*set label\.key"):
        engine.scan(RunData(inputs=inputs, predictions=predictions), {})


def test_input_rows_without_a_prediction(spark, engine, rules, tmp_path):
    data, inputs, _, _ = keyed_parts(tmp_path)
    partial = tmp_path / "some.parquet"
    data[["customer_id", "score"]].iloc[:390].to_parquet(partial, index=False)
    run = RunData(inputs=inputs, predictions=str(partial), key="customer_id")
    with pytest.raises(DataError, match=r"^10 of 400 input rows have no prediction"):
        engine.scan(run, {})


def test_predictions_that_repeat_a_key(spark, engine, rules, tmp_path):
    data, inputs, _, _ = keyed_parts(tmp_path)
    twice = tmp_path / "twice.parquet"
    pd.concat([data, data.iloc[:1]])[["customer_id", "score"]].to_parquet(
        twice, index=False
    )
    run = RunData(inputs=inputs, predictions=str(twice), key="customer_id")
    with pytest.raises(
        DataError, match="repeat values of the key column 'customer_id'"
    ):
        engine.scan(run, {})


def test_a_running_session_is_used_and_left_running(spark):
    engine = SparkEngine(EngineSettings(name="spark"))
    assert engine.session is spark
    engine.close()
    assert spark.range(3).count() == 3
