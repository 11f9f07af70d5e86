"""The Spark suite's data: a churn-like user entity, written as Parquet parts."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq


def entities(n: int, seed: int = 0, shift: float = 0.0) -> pd.DataFrame:
    """``n`` customers: fixed attributes, a score and label, an array of
    transaction amounts and an address struct; ``shift`` moves ``spend`` by that
    many standard deviations."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "customer_id": [f"c{seed}-{i}" for i in range(n)],
            "age": rng.integers(18, 90, n).astype("int64"),
            "tenure": rng.exponential(24.0, n),
            "spend": rng.normal(50.0, 10.0, n) + shift * 10.0,
            "plan": rng.choice(["basic", "pro", "enterprise"], n, p=[0.6, 0.3, 0.1]),
            "region": rng.choice(["eu", "us", "apac"], n),
        }
    )
    logit = -2 + 0.02 * (frame["spend"] - 50) - 0.03 * frame["tenure"]
    frame["score"] = 1 / (1 + np.exp(-logit))
    frame["churned"] = (rng.random(n) < frame["score"]).astype("int64")
    lengths = rng.integers(0, 5, n)
    frame["amounts"] = [rng.gamma(2.0, 20.0, k).round(2).tolist() for k in lengths]
    cities = rng.choice(["berlin", "paris", "rome"], n)
    zips = rng.integers(1000, 9999, n)
    frame["address"] = pd.Series(
        [{"city": str(c), "zip": int(z)} for c, z in zip(cities, zips, strict=True)],
        dtype=object,
    )
    return frame


def write_parts(
    frame: pd.DataFrame, folder: Path, bounds: Sequence[int], *, empty: bool = True
) -> Path:
    """``frame`` as Parquet part files cut at ``bounds`` (plus an empty part)."""
    folder.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata()
    cuts = [0, *bounds, len(frame)]
    for i, (start, stop) in enumerate(itertools.pairwise(cuts)):
        pq.write_table(table.slice(start, stop - start), folder / f"part-{i}.parquet")
    if empty:
        pq.write_table(table.slice(0, 0), folder / "part-9-empty.parquet")
    return folder
