"""Predicted-positive rates and class shares, of a run's column and of a profile.

The run side is exact (computed on the data). The reference side is read from the
reference's :class:`~modelhealth.checks.profile.ColumnProfile`, since raw reference
data is not
kept:

- a **categorical** (or boolean) profile counts its classes by name, so shares are
  exact for the classes it kept;
- a **numeric** profile has a histogram: the share of scores at or above the
  decision threshold counts whole bins above it and, for the bin that holds it, a
  part proportional to where it falls (values are taken as spread evenly within a
  bin, between the column's min and max). When every edge and bound is a whole
  number (classes coded 0/1), a bin is taken to hold whole numbers only, which makes
  a 0/1 column exact.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from modelhealth.checks._metrics import is_score
from modelhealth.checks._text import as_text, scalar_text
from modelhealth.checks.profile import ColumnProfile
from modelhealth.rules.models import PredictionSpec

__all__ = [
    "class_shares",
    "is_number",
    "out_of_range",
    "positive_rate",
    "reference_class_shares",
    "reference_positive_rate",
]

_TRUE = ("1", "1.0", "true", "True")


def positive_rate(values: pd.Series, spec: PredictionSpec) -> float | None:
    """The share of non-null predictions in the positive class (``None`` if none)."""
    values = values.dropna()
    if values.empty:
        return None
    if spec.positive_label is not None and not is_score(values):
        return float((as_text(values) == scalar_text(spec.positive_label)).mean())
    if is_number(values):
        x = values.to_numpy(dtype=np.float64)
        return float(np.mean(x >= spec.decision_threshold))
    return float(as_text(values).isin(_TRUE).mean())


def is_number(values: pd.Series) -> bool:
    """Numbers, not booleans."""
    dtype = values.dtype
    return bool(
        pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    )


def out_of_range(
    values: pd.Series, lo: float | None, hi: float | None
) -> tuple[int, float, list[float | str]]:
    """``(count, share of all rows, up to 5 distinct values)`` outside ``[lo, hi]``.

    Nulls are not counted; infinities always are.
    """
    x = values.to_numpy(dtype=np.float64, na_value=np.nan)
    low = -np.inf if lo is None else lo
    high = np.inf if hi is None else hi
    outside = ~np.isnan(x) & ((x < low) | (x > high) | np.isinf(x))
    n = int(np.count_nonzero(outside))
    shown = [float(v) if np.isfinite(v) else str(v) for v in np.unique(x[outside])[:5]]
    return n, n / len(x) if len(x) else 0.0, shown


def _integral(*numbers: float) -> bool:
    return all(math.isfinite(n) and float(n).is_integer() for n in numbers)


def reference_positive_rate(ref: ColumnProfile, spec: PredictionSpec) -> float | None:
    """The reference's predicted-positive share, estimated from its profile."""
    if ref.kind in ("categorical", "boolean"):
        if not ref.count:
            return None
        if spec.positive_label is not None:
            key = str(spec.positive_label)
        else:
            key = next((k for k in _TRUE if k in ref.categories), "True")
        return ref.categories.get(key, 0) / ref.count
    if ref.kind != "numeric" or not ref.counts or ref.min is None or ref.max is None:
        return None
    t = spec.decision_threshold
    lo_all, hi_all = float(ref.min), float(ref.max)
    edges = [float(e) for e in ref.edges]
    discrete = _integral(lo_all, hi_all, *edges)
    lows = [lo_all, *edges]
    highs = [*edges, hi_all]
    above = 0.0
    total = float(sum(ref.counts))
    for i, (lo, hi, count) in enumerate(zip(lows, highs, ref.counts, strict=True)):
        last = i == len(ref.counts) - 1
        lo, hi = max(lo, lo_all), min(hi, hi_all)
        if not count:
            continue
        if lo >= t:
            above += count
        elif discrete:
            top = hi if last else hi - 1  # whole numbers lo..top
            first = max(math.ceil(t), lo)
            if top >= first and top >= lo:
                above += count * (top - first + 1) / (top - lo + 1)
        elif hi > t and hi > lo:
            above += count * (hi - t) / (hi - lo)
    return above / total if total else None


def class_shares(values: pd.Series) -> dict[str, float]:
    """Each predicted class's share of the non-null predictions, by name."""
    counts = as_text(values.dropna()).value_counts(normalize=True)
    return {str(k): float(v) for k, v in counts.items()}


def reference_class_shares(ref: ColumnProfile) -> dict[str, float] | None:
    """The reference's class shares, when its profile counts classes by name."""
    if ref.kind not in ("categorical", "boolean") or not ref.count:
        return None
    return {k: v / ref.count for k, v in ref.categories.items()}
