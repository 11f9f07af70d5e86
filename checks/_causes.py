"""Root-cause hints: which drifted features matter most to the model.

A feature's **importance** is given with the baseline (``modelhealth baseline
--importance FILE``) or, without one, estimated from the baseline's rows by
:func:`mutual_information`: the mutual information (in nats) between each feature
and the model's prediction, both binned (numbers in ``BINS`` equal-mass bins,
categories by their ``TOP`` most frequent values plus "other", nulls in a bin of
their own), on a sample of at most ``SAMPLE`` rows, so no heavy library is loaded
and a baseline of a million rows adds about a second.

:func:`ranked` orders a run's drifted columns (``warned`` or ``failed``) by
``importance x drift``, where drift is the column's statistic over the level it
crossed (1.0 at the level; for a p-value test ``log p / log level``), and adds to
each its ``importance``, ``impact`` and ``impact_rank`` (metrics and details) and a
clause to its message, so the summary, the run page and the alert say which change
most likely explains a drop.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from modelhealth.checks.base import CheckResult, Status

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["BINS", "SAMPLE", "TOP", "drift_ratio", "mutual_information", "ranked"]

BINS = 10
TOP = 20
SAMPLE = 200_000


def _codes(series: pd.Series) -> np.ndarray:
    """Bin codes of one column: equal-mass bins for numbers, top categories else."""
    import numpy as np
    import pandas as pd

    null = series.isna().to_numpy()
    if pd.api.types.is_numeric_dtype(series.dtype) and not (
        pd.api.types.is_bool_dtype(series.dtype)
    ):
        x = series.to_numpy(dtype=np.float64, na_value=np.nan)
        finite = x[np.isfinite(x)]
        if finite.size == 0:
            return np.zeros(len(x), dtype=np.int64)
        edges = np.unique(np.quantile(finite, np.linspace(0, 1, BINS + 1)[1:-1]))
        codes = np.searchsorted(edges, np.nan_to_num(x), side="right") + 1
    else:
        found, _ = pd.factorize(series, use_na_sentinel=True)
        held = found >= 0
        counts = np.bincount(found[held], minlength=1)
        # 2.. the TOP most frequent values, 1 the others, 0 the nulls
        lookup = np.ones(len(counts), dtype=np.int64)
        lookup[np.argsort(-counts, kind="stable")[:TOP]] = np.arange(2, TOP + 2)[
            : min(TOP, len(counts))
        ]
        codes = np.zeros(len(found), dtype=np.int64)
        codes[held] = lookup[found[held]]
    codes[null] = 0
    return np.asarray(codes, dtype=np.int64)


def mutual_information(
    frame: pd.DataFrame, features: list[str], prediction: str
) -> dict[str, float]:
    """Each feature's mutual information with ``prediction``, in nats, on at most
    ``SAMPLE`` rows (a fixed random sample of a larger baseline)."""
    import numpy as np

    if len(frame) > SAMPLE:
        rows = np.random.default_rng(0).choice(len(frame), SAMPLE, replace=False)
        frame = frame.iloc[np.sort(rows)]
    y = _codes(frame[prediction])
    found: dict[str, float] = {}
    for column in features:
        x = _codes(frame[column])
        nx, ny = int(x.max()) + 1, int(y.max()) + 1
        joint = np.bincount(x * ny + y, minlength=nx * ny).reshape(nx, ny)
        p = joint / joint.sum()
        px, py = p.sum(axis=1, keepdims=True), p.sum(axis=0, keepdims=True)
        held = p > 0
        found[column] = float(np.sum(p[held] * np.log(p[held] / (px @ py)[held])))
    return found


def drift_ratio(result: CheckResult) -> float | None:
    """The statistic over the level it is graded by (1.0 at the level)."""
    level = result.threshold.get("fail", result.threshold.get("warn"))
    if result.value is None or level is None or level <= 0:
        return None
    if result.details.get("graded_on") == "p_value":  # smaller is worse
        if level >= 1:
            return None
        return math.log(max(result.value, 1e-300)) / math.log(level)
    return result.value / level


def ranked(
    results: list[CheckResult], importance: Mapping[str, float], source: str
) -> list[CheckResult]:
    """``results`` with their drifted columns ranked by importance x drift."""
    impacts: dict[int, float] = {}
    for i, r in enumerate(results):
        ratio = drift_ratio(r)
        weight = importance.get(r.subject or "")
        if r.status in (Status.WARNED, Status.FAILED) and ratio is not None:
            if weight is not None:
                impacts[i] = weight * ratio
    order = sorted(impacts, key=lambda i: -impacts[i])
    out = list(results)
    for rank, i in enumerate(order, start=1):
        r, weight = results[i], importance[results[i].subject or ""]
        out[i] = replace(
            r,
            metrics={**r.metrics, "importance": weight, "impact": impacts[i]},
            details={
                **r.details,
                "importance": weight,
                "importance_from": source,
                "impact": impacts[i],
                "impact_rank": rank,
            },
            message=f"{r.message}; importance {weight:.3g} ({source}), "
            f"rank {rank} of {len(order)} drifted by importance x drift",
        )
    return out
