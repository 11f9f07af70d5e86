"""Profiles built batch by batch equal the whole frame's (issue 10).

Counts, histograms and categories exactly; mean and variance to 1e-9; quantiles
within the KLL sketch's stated rank bound.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from modelhealth.checks._sketch import RANK_ERROR
from modelhealth.checks.passes import Batch
from modelhealth.checks.profile import QUANTILES, ColumnProfile, Profile
from modelhealth.checks.profiling import CATEGORY_CAP, ProfilePass, profile_frame


def mixed(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "spend": rng.lognormal(3, 1, n),
            "age": rng.integers(18, 90, n).astype("int64"),
            "city": rng.choice([f"c{i}" for i in range(300)], n),  # > 50 kept
            "plan": rng.choice(["basic", "pro", "enterprise"], n),
            "flag": rng.random(n) < 0.3,
        }
    )
    df.loc[::7, "spend"] = np.nan
    df.loc[3, "spend"] = np.inf
    df.loc[5, "spend"] = -np.inf
    return df


def batched(
    frame: pd.DataFrame, size: int, reference: Profile | None, arrow: bool
) -> Profile:
    profile_pass = ProfilePass(reference)
    for start in range(0, len(frame), size):
        part = frame.iloc[start : start + size].reset_index(drop=True)
        if start == size:  # the second batch: its spend all null
            part["spend"] = np.nan
        if arrow:
            import pyarrow as pa

            profile_pass.update(Batch(arrow=pa.RecordBatch.from_pandas(part)))
        else:
            profile_pass.update(Batch(frame=part))
    profile_pass.update(Batch(frame=frame.iloc[:0]))  # an empty batch
    return profile_pass.profile()


def rank_within_bound(values: np.ndarray, col: ColumnProfile) -> None:
    ordered = np.sort(values[np.isfinite(values)])
    for name, level in QUANTILES.items():
        rank = np.searchsorted(ordered, col.quantiles[name], side="right")
        assert abs(rank / len(ordered) - level) <= RANK_ERROR + 1 / len(ordered), name


def assert_same(batch: ColumnProfile, whole: ColumnProfile) -> None:
    exact = ("count", "nulls", "infinite", "min", "max", "edges", "counts", "outside")
    for name in (*exact, "categories", "other", "distinct", "kind"):
        assert getattr(batch, name) == getattr(whole, name), (whole.name, name)
    if whole.mean is not None:
        assert batch.mean == pytest.approx(whole.mean, rel=1e-9)
        assert batch.variance == pytest.approx(whole.variance, rel=1e-9)
        assert batch.tails == pytest.approx(whole.tails, rel=1e-9)


@pytest.mark.parametrize("arrow", [False, True], ids=["pandas", "arrow"])
@pytest.mark.parametrize("size", [1, 997, 4096, 20_000])
def test_batches_equal_the_whole_frame(size, arrow):
    rows = 5000 if size > 1 else 300  # one row per batch: kept short
    reference = profile_frame(mixed(20_000, seed=1))
    frame = mixed(rows, seed=2)
    if size < rows:
        frame.loc[size : 2 * size - 1, "spend"] = np.nan  # as batched() does
    whole = profile_frame(frame, reference=reference)
    merged = batched(frame, size, reference, arrow)
    assert merged.row_count == whole.row_count == rows
    assert set(merged.columns) == set(whole.columns)
    for name, col in whole.columns.items():
        assert_same(merged.columns[name], col)
    spend = frame["spend"].to_numpy()
    rank_within_bound(spend, merged.columns["spend"])
    rank_within_bound(spend, whole.columns["spend"])
    assert merged.columns["city"].distinct == frame["city"].nunique()
    assert merged.columns["city"].other > 0  # cut to 50 (and the reference's) once


def test_categories_are_not_cut_per_batch():
    # each batch's top categories differ from the whole run's
    frame = pd.DataFrame({"c": ["a"] * 30 + ["b"] * 20 + ["c"] * 25 + ["b"] * 20})
    profile_pass = ProfilePass(max_categories=1)
    for start in range(0, len(frame), 25):
        profile_pass.update(Batch(frame=frame.iloc[start : start + 25]))
    col = profile_pass.profile().columns["c"]
    assert (
        col.categories == profile_frame(frame, max_categories=1).columns["c"].categories
    )
    assert (col.categories, col.other, col.distinct) == ({"b": 40}, 55, 3)


def test_above_the_cap_keeps_the_most_frequent():
    n = CATEGORY_CAP + 500
    frame = pd.DataFrame({"id": [f"u{i}" for i in range(n)] + ["hot"] * 1000})
    profile_pass = ProfilePass()
    for start in range(0, len(frame), 4000):
        profile_pass.update(Batch(frame=frame.iloc[start : start + 4000]))
    col = profile_pass.profile().columns["id"]
    assert next(iter(col.categories.items())) == ("hot", 1000)
    assert col.count == n + 1000
    assert col.other == col.count - sum(col.categories.values())
    assert col.distinct >= CATEGORY_CAP  # a lower bound once above the cap


def test_run_quantiles_outside_the_reference_range_are_right():
    """Issue 10: binned on reference edges, the median read 16.9 (true 4.07)."""
    rng = np.random.default_rng(3)
    reference = profile_frame(pd.DataFrame({"x": rng.uniform(10, 30, 50_000)}))
    values = rng.lognormal(np.log(4.07), 0.3, 50_000)
    run = profile_frame(pd.DataFrame({"x": values}), reference=reference)
    col = run.columns["x"]
    assert col.quantiles["p50"] == pytest.approx(np.median(values), rel=0.02)
    rank_within_bound(values, col)
    ref_min = float(reference.columns["x"].min or 0.0)
    assert col.outside == [int((values < ref_min).sum()), 0]


def test_merged_quantiles_come_from_the_merged_sketch():
    rng = np.random.default_rng(4)
    a, b = rng.normal(0, 1, 40_000), rng.normal(5, 1, 10_000)
    merged = profile_frame(pd.DataFrame({"x": a})).merge(
        profile_frame(pd.DataFrame({"x": b}))
    )
    rank_within_bound(np.concatenate([a, b]), merged.columns["x"])
    # a weighted mean of the sides' medians (the old merge) would read 1.0
    assert merged.columns["x"].quantiles["p50"] < 0.5


def test_sketch_survives_json_and_older_profiles_still_merge():
    profile = profile_frame(pd.DataFrame({"x": np.arange(10_000.0)}))
    text = json.dumps(profile.to_dict(), allow_nan=False)
    back = Profile.from_dict(json.loads(text))
    assert back == profile
    sketch = profile.columns["x"].sketch
    assert 0 < len(sketch) < 8_000  # base64 of about 5 KB at most
    old = json.loads(text)
    del old["columns"]["x"]["sketch"]  # a profile stored before sketches
    merged = Profile.from_dict(old).merge(profile).columns["x"]
    assert merged.quantiles["p50"] == pytest.approx(
        profile.columns["x"].quantiles["p50"]
    )
    assert merged.sketch == ""
    assert merged.count == 20_000


def test_small_columns_keep_exact_numpy_quantiles():
    values = [1.0, 2.0, 3.0, 4.0]
    col = profile_frame(pd.DataFrame({"x": values})).columns["x"]
    expected = np.quantile(values, list(QUANTILES.values()))
    assert list(col.quantiles.values()) == pytest.approx(expected)


def test_passes_pickle_and_merge_like_partitions():
    """As the Spark engine does: passes over parts, pickled, merged in order."""
    import pickle

    reference = profile_frame(mixed(20_000, seed=1))
    frame = mixed(6000, seed=5)
    parts = []
    for start in range(0, len(frame), 2000):
        part_pass = ProfilePass(reference)
        part_pass.update(Batch(frame=frame.iloc[start : start + 2000]))
        parts.append(pickle.loads(pickle.dumps(part_pass)))
    driver = ProfilePass(reference)
    for part_pass in parts:
        driver.merge(part_pass)
    whole = profile_frame(frame, reference=reference)
    for name, col in whole.columns.items():
        assert_same(driver.profile().columns[name], col)
