from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from modelhealth.checks._sketch import RANK_ERROR
from modelhealth.checks.profile import QUANTILES, Profile
from modelhealth.checks.profiling import profile_frame


def roundtrip(profile: Profile) -> Profile:
    text = json.dumps(profile.to_dict(), allow_nan=False)
    return Profile.from_dict(json.loads(text))


def test_numeric_column(frame):
    df = frame(1000)
    col = profile_frame(df).columns["spend"]
    assert col.kind == "numeric"
    assert (col.count, col.nulls, col.infinite) == (1000, 0, 0)
    assert col.mean == pytest.approx(df["spend"].mean(), rel=1e-12)
    assert col.variance == pytest.approx(df["spend"].var(), rel=1e-9)
    assert (col.min, col.max) == (df["spend"].min(), df["spend"].max())
    # quantiles come from the column's KLL sketch: each within its rank bound
    values = np.sort(df["spend"].to_numpy())
    for name, level in QUANTILES.items():
        rank = np.searchsorted(values, col.quantiles[name], side="right") / len(values)
        assert abs(rank - level) <= RANK_ERROR + 1 / len(values), name
    assert len(col.edges) == 99
    assert len(col.counts) == 100
    assert sum(col.counts) == 1000
    assert all(9 <= c <= 11 for c in col.counts)  # equal-frequency bins
    x = df["spend"].to_numpy()
    assert col.tails == pytest.approx(
        [x[x < col.edges[0]].sum(), x[x >= col.edges[-1]].sum()]
    )


def test_categorical_and_boolean(frame):
    df = frame(300, flag=[True, False, True] * 100)
    profile = profile_frame(df)
    plan = profile.columns["plan"]
    assert plan.kind == "categorical"
    assert plan.categories == df["plan"].value_counts().to_dict()
    assert (plan.other, plan.distinct, plan.count) == (0, 3, 300)
    flag = profile.columns["flag"]
    assert flag.kind == "boolean"
    assert flag.categories == {"True": 200, "False": 100}


def test_max_categories_bounds_and_counts_other():
    df = pd.DataFrame({"c": ["a"] * 5 + ["b"] * 3 + ["c", "d"]})
    col = profile_frame(df, max_categories=2).columns["c"]
    assert col.categories == {"a": 5, "b": 3}
    assert (col.other, col.distinct) == (2, 4)


def test_reference_edges_and_categories_are_reused(frame):
    ref = profile_frame(frame(1000, seed=1))
    cur = profile_frame(frame(200, seed=2, plan=["new"] * 200), reference=ref)
    assert cur.columns["spend"].edges == ref.columns["spend"].edges
    assert cur.columns["plan"].categories == {
        "new": 200,
        "basic": 0,
        "enterprise": 0,
        "pro": 0,
    }


def test_merge_of_chunks_equals_whole(frame):
    df = frame(3000, flag=np.arange(3000) % 3 == 0)
    df.loc[::7, "tenure"] = np.nan
    ref = profile_frame(df)
    whole = profile_frame(df, reference=ref)
    parts = [
        profile_frame(df.iloc[i : i + 1000], reference=ref) for i in (0, 1000, 2000)
    ]
    merged = parts[0].merge(parts[1]).merge(parts[2])
    assert merged.row_count == whole.row_count
    for name, col in whole.columns.items():
        got = merged.columns[name]
        assert (got.count, got.nulls, got.infinite) == (
            col.count,
            col.nulls,
            col.infinite,
        )
        assert got.categories == col.categories
        assert got.counts == col.counts
        if col.kind == "numeric":
            assert got.mean == pytest.approx(col.mean, rel=1e-9)
            assert got.variance == pytest.approx(col.variance, rel=1e-9)
            assert (got.min, got.max) == (col.min, col.max)
            # quantiles are approximated by a count-weighted mean
            assert got.quantiles["p50"] == pytest.approx(col.quantiles["p50"], rel=0.1)


def test_merge_with_other_edges_drops_histogram(frame):
    a, b = profile_frame(frame(100, seed=1)), profile_frame(frame(100, seed=2))
    merged = a.merge(b).columns["spend"]
    assert (merged.edges, merged.counts, merged.count) == ([], [], 200)


def test_merge_with_empty_chunk_keeps_histogram(frame):
    df = frame(100)
    full = profile_frame(df)
    merged = full.merge(profile_frame(df.iloc[:0]))
    assert merged.columns["spend"] == full.columns["spend"]


def test_roundtrip_is_json_without_nan():
    df = pd.DataFrame(
        {
            "x": [1.0, np.inf, -np.inf, np.nan, 2.0],
            "s": ["a", None, "b", "a", "a"],
            "t": pd.to_datetime(
                pd.Series(["2024-01-01", None, "2024-03-01", "2023-06-01", None])
            ),
        }
    )
    profile = profile_frame(df)
    assert roundtrip(profile) == profile


def test_empty_frame(frame):
    profile = profile_frame(frame(10).iloc[:0])
    assert profile.row_count == 0
    assert all(c.count == 0 for c in profile.columns.values())
    assert profile.columns["spend"].mean is None
    assert roundtrip(profile) == profile


def test_all_null_column():
    col = profile_frame(pd.DataFrame({"x": [np.nan] * 4, "s": [None] * 4})).columns
    assert (col["x"].count, col["x"].nulls, col["x"].counts) == (0, 4, [0])
    assert (col["s"].count, col["s"].nulls, col["s"].categories) == (0, 4, {})


def test_constant_column_has_one_edge():
    col = profile_frame(pd.DataFrame({"x": [3] * 10})).columns["x"]
    assert (col.edges, col.counts, col.variance) == ([3.0], [0, 10], 0.0)


def test_discrete_column_edges_are_deduplicated():
    col = profile_frame(pd.DataFrame({"x": [0] * 60 + [1] * 40})).columns["x"]
    assert col.edges == [0.0, 1.0]
    assert col.counts == [0, 60, 40]


def test_single_row():
    col = profile_frame(pd.DataFrame({"x": [5.0]})).columns["x"]
    assert (col.count, col.mean, col.variance, col.quantiles["p99"]) == (
        1,
        5.0,
        0.0,
        5.0,
    )


def test_infinity_is_counted_apart():
    col = profile_frame(pd.DataFrame({"x": [1.0, np.inf, -np.inf, 3.0]})).columns["x"]
    assert (col.count, col.infinite, col.mean, col.max) == (2, 2, 2.0, 3.0)
    assert sum(col.counts) == 2


def test_mixed_type_column_is_categorical_text():
    df = pd.DataFrame({"m": [1, "1", True, "a", None, 2.5]})
    col = profile_frame(df).columns["m"]
    assert col.kind == "categorical"
    assert col.categories == {"1": 2, "2.5": 1, "True": 1, "a": 1}
    assert (col.nulls, col.distinct) == (1, 4)


def test_datetime_column():
    df = pd.DataFrame(
        {"t": pd.to_datetime(pd.Series(["2024-05-01", None, "2023-01-02"]))}
    )
    col = profile_frame(df).columns["t"]
    assert (col.kind, col.count, col.nulls) == ("datetime", 2, 1)
    assert (col.min, col.max) == ("2023-01-02T00:00:00", "2024-05-01T00:00:00")


def test_nullable_integer_and_category_dtypes():
    df = pd.DataFrame(
        {
            "i": pd.array([1, None, 3], dtype="Int64"),
            "c": pd.Categorical(["x", "y", "x"], categories=["x", "y", "z"]),
        }
    )
    cols = profile_frame(df).columns
    assert (cols["i"].kind, cols["i"].count, cols["i"].nulls) == ("numeric", 2, 1)
    assert cols["c"].categories == {"x": 2, "y": 1}


def test_bad_bins():
    with pytest.raises(ValueError, match="bins"):
        profile_frame(pd.DataFrame({"x": [1]}), bins=0)


def test_profile_batches_equals_one_pass_on_reference_edges(frame, tmp_path):
    from modelhealth.checks.profiling import profile_batches
    from modelhealth.engine.inputs import iter_batches

    ref, cur = frame(3000, seed=1), frame(5000, seed=2)
    reference = profile_frame(ref)
    cur.to_parquet(tmp_path / "cur.parquet", row_group_size=700)
    batched = profile_batches(
        iter_batches(tmp_path / "cur.parquet", batch_rows=1000), reference=reference
    )
    whole = profile_frame(cur, reference=reference)
    assert batched.row_count == whole.row_count == 5000
    for name, col in whole.columns.items():
        got = batched.columns[name]
        assert (got.count, got.nulls, got.counts) == (col.count, col.nulls, col.counts)
        assert got.categories == col.categories
        if col.kind == "numeric":
            assert got.mean == pytest.approx(col.mean)
            assert got.m2 == pytest.approx(col.m2)
            assert got.tails == pytest.approx(col.tails)


def test_profile_batches_without_reference_uses_first_batch_edges(frame):
    from modelhealth.checks.profiling import profile_batches

    df = frame(4000)
    chunks = [df.iloc[i : i + 1000] for i in range(0, 4000, 1000)]
    profile = profile_batches(chunks)
    spend = profile.columns["spend"]
    assert profile.row_count == 4000
    assert sum(spend.counts) == 4000  # every batch on the first batch's edges
    assert spend.edges == profile_frame(chunks[0]).columns["spend"].edges
    assert profile_batches([]).row_count == 0


def test_iter_batches_reports_a_missing_file(tmp_path):
    from modelhealth.engine.inputs import iter_batches
    from modelhealth.errors import DataError

    with pytest.raises(DataError, match="does not exist"):
        next(iter_batches(tmp_path / "nope.parquet"))
