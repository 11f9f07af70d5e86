"""How one pandas column becomes a :class:`~modelhealth.checks.profile.ColumnProfile`.

The vectorised half of :func:`modelhealth.checks.profiling.profile_frame`, split out to
keep both
modules short. Everything here is numpy/pandas work done once per column, never per
row: one ``np.partition`` for all quantiles (and the bin edges), one comparison per
bin edge for the histogram, one ``value_counts`` for categories. A run binned on a
reference's fine edges (20 or more) skips the partition: its quantiles are read
off its histogram (linear inside a bin), exact to within one reference bin (1% of
the reference's mass), and its min and max stay exact.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas.api import types as ptypes

from modelhealth.checks._ecdf import BinnedCDF
from modelhealth.checks.profile import ColumnKind, ColumnProfile

__all__ = ["column_kind", "histogram", "quantiles", "summarize_column"]

FloatArray = npt.NDArray[np.float64]
FINE_EDGES = 20
"""From this many reference edges on, a run's quantiles come from its histogram."""


def column_kind(series: pd.Series) -> ColumnKind:
    """The profile kind of a pandas column (anything unrecognised is categorical)."""
    dtype = series.dtype
    if ptypes.is_bool_dtype(dtype):
        return "boolean"
    if ptypes.is_datetime64_any_dtype(dtype):
        return "datetime"
    if ptypes.is_numeric_dtype(dtype) and not ptypes.is_complex_dtype(dtype):
        return "numeric"
    if (
        ptypes.is_object_dtype(dtype)
        and ptypes.infer_dtype(series, skipna=True) == "bytes"
    ):
        return "binary"  # raw bytes: profiled by length, never decoded as text
    return "categorical"


def quantiles(x: FloatArray, levels: Sequence[float]) -> tuple[FloatArray, FloatArray]:
    """Exact quantiles with a single partition: ``(linear, lower)``.

    ``linear`` is numpy's default method; ``lower`` is the order statistic below
    (numpy's ``lower``), always an observed value, which is what bin edges use so
    that a discrete column gets one bin per value rather than edges between values.

    ``np.quantile`` partitions at both neighbours of every level; here the lower
    neighbours are partitioned once and each upper neighbour is the minimum of the
    (short) unsorted segment that follows it, which halves the work.
    """
    n = len(x)
    pos = np.asarray(levels, dtype=np.float64) * (n - 1)
    lo = np.floor(pos).astype(np.int64)
    kth = np.unique(lo)
    part = np.partition(x, kth)
    upper = {}
    for i, f in enumerate(kth.tolist()):
        end = int(kth[i + 1]) + 1 if i + 1 < len(kth) else n
        upper[f] = float(part[f + 1 : end].min()) if f + 1 < n else float(part[f])
    lo_val = part[lo]
    hi_val = np.array([upper[f] for f in lo.tolist()], dtype=np.float64)
    linear: FloatArray = lo_val + (pos - lo) * (hi_val - lo_val)
    return linear, lo_val


def histogram(x: FloatArray, edges: Sequence[float]) -> list[int]:
    """Counts of finite ``x`` in the bins ``[edges[i-1], edges[i])``, ends open."""
    if len(edges) > 256:  # one pass per edge beats searchsorted up to here
        idx = np.searchsorted(np.asarray(edges, dtype=np.float64), x, side="right")
        return [int(c) for c in np.bincount(idx, minlength=len(edges) + 1)]
    at_or_above = [len(x), *(int(np.count_nonzero(x >= e)) for e in edges), 0]
    return [at_or_above[i] - at_or_above[i + 1] for i in range(len(edges) + 1)]


def summarize_column(
    series: pd.Series,
    name: str,
    *,
    reference: ColumnProfile | None,
    bins: int,
    max_categories: int,
    quantiles: Mapping[str, float],
) -> ColumnProfile:
    """Profile one column; ``reference`` is the same column's reference profile."""
    kind = column_kind(series)
    if reference is not None and reference.kind != kind:
        reference = None  # the kind changed; the drift check reports it
    if kind == "numeric":
        return _numeric(series, name, reference, bins, quantiles)
    if kind == "datetime":
        nulls = int(series.isna().sum())
        count = len(series) - nulls
        lo, hi = (series.min(), series.max()) if count else (None, None)
        return ColumnProfile(
            name=name,
            kind=kind,
            count=count,
            nulls=nulls,
            min=None if lo is None else pd.Timestamp(lo).isoformat(),
            max=None if hi is None else pd.Timestamp(hi).isoformat(),
        )
    if kind == "binary":
        return _binary(series, name)
    counts = _value_counts(series)
    count = int(counts.sum())  # value_counts skips nulls: no separate isna pass
    nulls = len(series) - count
    keep = set(counts.index[:max_categories])
    if reference is not None:
        keep.update(reference.categories)
    kept = {str(k): int(counts.get(k, 0)) for k in keep}
    return ColumnProfile(
        name=name,
        kind=kind,
        count=count,
        nulls=nulls,
        categories=dict(sorted(kept.items(), key=lambda kv: (-kv[1], kv[0]))),
        other=count - sum(kept.values()),
        distinct=len(counts),
    )


def _binary(series: pd.Series, name: str) -> ColumnProfile:
    """A bytes column: how many values, how many nulls, and their lengths."""
    lengths = series.dropna().map(len).to_numpy(dtype=np.float64)
    count = len(lengths)
    return ColumnProfile(
        name=name,
        kind="binary",
        count=count,
        nulls=len(series) - count,
        min=float(lengths.min()) if count else None,
        max=float(lengths.max()) if count else None,
        mean=float(lengths.mean()) if count else None,
    )


def _value_counts(series: pd.Series) -> pd.Series:
    """Non-null value counts keyed by ``str``, most frequent first."""
    if series.dtype == object and ptypes.infer_dtype(series, skipna=True) != "string":
        # mixed types: 1, "1" and True must not share a key, so compare as text;
        # str() of bytes is their repr, never a decode that could fail
        series = series.dropna().map(str)
    counts = series.value_counts(dropna=True)
    counts = counts[counts > 0]  # a category dtype lists its unused categories
    if not all(isinstance(k, str) for k in counts.index[:1]):
        counts.index = counts.index.astype(str)
        if not counts.index.is_unique:
            counts = counts.groupby(level=0).sum().sort_values(ascending=False)
    return counts


def _tails(x: FloatArray, edges: Sequence[float]) -> list[float]:
    """Sums of the values below the first edge and at or above the last one."""
    if not edges:
        return [0.0, float(x.sum())]
    low = float(x[x < edges[0]].sum())
    return [low, float(x[x >= edges[-1]].sum())]


def _numeric(
    series: pd.Series,
    name: str,
    reference: ColumnProfile | None,
    bins: int,
    named: Mapping[str, float],
) -> ColumnProfile:
    values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    nulls = int(np.count_nonzero(np.isnan(values)))
    finite = np.isfinite(values)
    count = int(np.count_nonzero(finite))
    infinite = len(values) - nulls - count
    x = values if count == len(values) else values[finite]
    edges = list(reference.edges) if reference is not None else []
    if count == 0:
        return ColumnProfile(
            name=name,
            kind="numeric",
            nulls=nulls,
            infinite=infinite,
            edges=edges,
            counts=[0] * (len(edges) + 1),
        )
    mean = float(x.mean())
    dev = x - mean
    counts: list[int] | None = None
    if len(edges) >= FINE_EDGES:
        # binned on fine reference edges: quantiles read off the histogram (within
        # one reference bin) instead of a partition, which costs as much again
        counts = histogram(x, edges)
        lo, hi = float(x.min()), float(x.max())
        cdf = BinnedCDF.from_counts(edges, counts, lo, hi)
        named_q = np.interp(list(named.values()), cdf.f, cdf.x)
        qv = [lo, hi, *named_q.tolist()]
    else:
        levels = [0.0, 1.0, *named.values()]
        if reference is None:
            levels += [i / bins for i in range(1, bins)]
        linear, lower = quantiles(x, levels)
        qv = linear.tolist()
        if reference is None:
            edges = [float(e) for e in np.unique(lower[2 + len(named) :])]
            if len(edges) < bins - 1 and edges and qv[1] > edges[-1]:
                # the quantile edges collapsed (a column that is mostly one value):
                # the maximum, an observed value, bounds a top bin of its own, so
                # that values beyond the usual ones do not vanish into a wide bin
                edges.append(float(qv[1]))
    return ColumnProfile(
        name=name,
        kind="numeric",
        count=count,
        nulls=nulls,
        infinite=infinite,
        min=qv[0],
        max=qv[1],
        mean=mean,
        m2=float(np.dot(dev, dev)),
        quantiles=dict(zip(named, qv[2 : 2 + len(named)], strict=True)),
        edges=edges,
        counts=histogram(x, edges) if counts is None else counts,
        tails=_tails(x, edges),
    )
