"""A batch of plain numbers and text is profiled straight from Arrow, with no
pandas objects: the profile must equal the one of the batch's pandas view."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from modelhealth.checks._sketch import RANK_ERROR
from modelhealth.checks.passes import Batch
from modelhealth.checks.profile import Profile
from modelhealth.checks.profiling import ProfilePass, profile_frame


def _table(rows: int) -> pa.Table:
    rng = np.random.default_rng(11)
    x = rng.normal(size=rows)
    x[::13] = np.nan
    x[5] = np.inf
    x[6] = -np.inf
    counts = pd.array(rng.integers(0, 9, rows), dtype="Int64")
    counts[::7] = pd.NA
    plan = rng.choice(["basic", "pro", "enterprise"], rows).astype(object)
    plan[::11] = None
    frame = pd.DataFrame(
        {
            "x": x,
            "n": rng.integers(-5, 5, rows),
            "counts": counts,
            "small": rng.random(rows).astype(np.float32),
            "plan": plan,
            "region": pd.Categorical(rng.choice(["eu", "us"], rows)),
        }
    )
    return pa.Table.from_pandas(frame, preserve_index=False)


def _exact(profile: Profile) -> dict[str, Any]:
    """Everything but the quantile sketches and the quantiles read from them."""
    out: dict[str, Any] = profile.to_dict()
    for col in out["columns"].values():
        col.pop("sketch", None)
        col.pop("quantiles", None)
    return out


def _by_arrow(table: pa.Table, reference=None, batch_rows: int = 40_000):
    profile_pass = ProfilePass(reference)
    for batch in table.to_batches(max_chunksize=batch_rows):
        profile_pass.update(Batch(arrow=batch))
    return profile_pass.profile()


def _by_pandas(table: pa.Table, reference=None, batch_rows: int = 40_000):
    profile_pass = ProfilePass(reference)
    for batch in table.to_batches(max_chunksize=batch_rows):
        one = Batch(arrow=batch)
        assert len(one.frame) == batch.num_rows  # the pandas view made first
        profile_pass.update(one)
    return profile_pass.profile()


@pytest.mark.parametrize("with_reference", [False, True])
def test_the_arrow_profile_equals_the_pandas_one(with_reference):
    table = _table(100_000)
    reference = None
    if with_reference:
        reference = profile_frame(_table(30_000).to_pandas())
    arrow, pandas = _by_arrow(table, reference), _by_pandas(table, reference)
    assert _exact(arrow) == _exact(pandas)
    for name in ("x", "n", "counts", "small"):  # KLL compacts at random
        values = np.sort(table.column(name).to_pandas().dropna().to_numpy(float))
        values = values[np.isfinite(values)]
        for level, value in arrow.columns[name].quantiles.items():
            low = np.searchsorted(values, value, side="left") / len(values)
            high = np.searchsorted(values, value, side="right") / len(values)
            wanted = int(level[1:]) / 100  # ties: any rank the value spans
            assert low - RANK_ERROR <= wanted <= high + RANK_ERROR, (name, level)
    assert arrow.columns["counts"].nulls == table.column("counts").null_count
    assert arrow.columns["x"].infinite == 2
    assert arrow.columns["region"].kind == "categorical"


def test_other_kinds_of_columns_take_the_pandas_view():
    frame = pd.DataFrame(
        {
            "x": [1.0, 2.0, None],
            "when": pd.to_datetime(pd.Series(["2026-01-01", None, "2026-01-03"])),
            "flag": [True, False, None],
        }
    )
    table = pa.Table.from_pandas(frame, preserve_index=False)
    profile = _by_arrow(table)
    assert profile.columns["when"].kind == "datetime"
    assert profile.columns["flag"].nulls == 1
    assert _exact(profile) == _exact(profile_frame(frame))


def test_a_pandas_index_stored_as_a_column_is_not_profiled():
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0]}, index=pd.Index(["a", "b", "c"]))
    table = pa.Table.from_pandas(frame)  # the index travels as a column
    assert "__index_level_0__" in table.schema.names
    assert list(_by_arrow(table).columns) == ["x"]
