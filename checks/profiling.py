"""Profiling: a frame, or a stream of batches, reduced to a :class:`Profile`.

:mod:`modelhealth.checks.profile` defines what a profile holds and how profiles
merge; this module computes them (one column at a time, by
:mod:`modelhealth.checks._summarize`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from modelhealth.checks._summarize import column_kind, summarize_column
from modelhealth.checks.passes import Batch, RowPass
from modelhealth.checks.profile import QUANTILES, ColumnProfile, Profile

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["EdgesPass", "ProfilePass", "profile_batches", "profile_frame"]


def profile_frame(
    frame: pd.DataFrame,
    *,
    reference: Profile | None = None,
    bins: int = 100,
    max_categories: int = 50,
) -> Profile:
    """Profile every column of ``frame`` with vectorised numpy/pandas work.

    Args:
        frame: the data; column names are turned into ``str``.
        reference: when given, numeric columns it holds are histogrammed on its
            edges, and categorical columns keep a count for each of its categories
            (so drift compares like with like).
        bins: the number of equal-frequency bins of a column profiled without a
            reference (fewer for discrete or constant columns).
        max_categories: how many of the most frequent values a categorical column
            keeps by name; the rest are counted in ``other``.

    Returns:
        The profile; an empty frame gives ``row_count`` 0 and empty columns.

    Raises:
        ValueError: ``bins`` or ``max_categories`` is below 1.
    """
    if bins < 1 or max_categories < 1:
        raise ValueError(
            f"bins and max_categories must be >= 1, got {bins}, {max_categories}"
        )
    ref_columns = reference.columns if reference is not None else {}
    columns: dict[str, ColumnProfile] = {}
    for label in frame.columns:
        name = str(label)
        columns[name] = summarize_column(
            frame[label],
            name,
            reference=ref_columns.get(name),
            bins=bins,
            max_categories=max_categories,
            quantiles=QUANTILES,
        )
    return Profile(row_count=len(frame), columns=columns)


def profile_batches(
    batches: Iterable[pd.DataFrame],
    *,
    reference: Profile | None = None,
    bins: int = 100,
    max_categories: int = 50,
) -> Profile:
    """Profile a frame given in batches, holding one batch in memory at a time.

    Args:
        batches: the frame's rows in consecutive chunks, same columns in each.
        reference: as in :func:`profile_frame`; without one, the first batch's
            profile provides the edges (and kept categories) of all batches.
        bins: as in :func:`profile_frame`.
        max_categories: as in :func:`profile_frame`.

    Returns:
        The merged profile (``row_count`` 0 with no columns for no batches).
    """
    merged: Profile | None = None
    for batch in batches:
        profile = profile_frame(
            batch,
            reference=reference if reference is not None else merged,
            bins=bins,
            max_categories=max_categories,
        )
        merged = profile if merged is None else merged.merge(profile)
    return merged if merged is not None else Profile(row_count=0)


class ProfilePass(RowPass):
    """The run's :class:`Profile`, built batch by batch (see :func:`profile_batches`).

    Every batch is binned on the reference's edges, else on ``edges`` (the
    run's own equal-frequency edges from an :class:`EdgesPass` over the same
    rows), else on the first batch's edges; then the batch profiles merge.
    """

    def __init__(
        self,
        reference: Profile | None = None,
        *,
        edges: Mapping[str, list[float]] | None = None,
        bins: int = 100,
        max_categories: int = 50,
    ) -> None:
        self.reference = reference
        self.edges = dict(edges or {})
        self.bins = bins
        self.max_categories = max_categories
        self._merged: Profile | None = None

    def _binning(self) -> Profile | None:
        if self.reference is not None:
            return self.reference
        if self.edges:
            return Profile(
                row_count=0,
                columns={
                    name: ColumnProfile(name=name, kind="numeric", edges=list(e))
                    for name, e in self.edges.items()
                },
            )
        return self._merged

    def update(self, batch: Batch) -> None:
        profile = profile_frame(
            batch.frame,
            reference=self._binning(),
            bins=self.bins,
            max_categories=self.max_categories,
        )
        self._merged = profile if self._merged is None else self._merged.merge(profile)

    def merge(self, other: Any) -> None:
        assert isinstance(other, ProfilePass)
        if other._merged is None:
            return
        if self._merged is None:
            self._merged = other._merged
        else:
            self._merged = self._merged.merge(other._merged)

    def profile(self) -> Profile:
        """The profile of every row seen (``row_count`` 0 for none)."""
        return self._merged if self._merged is not None else Profile(row_count=0)


class EdgesPass(RowPass):
    """Equal-frequency bin edges of every numeric column, from mergeable sketches.

    A run profiled without a reference has no edges to bin on; one pass of
    this over its rows first gives each numeric column its own percentiles
    (DataSketches KLL, mergeable across batches and partitions), so that every
    batch is then binned alike.
    """

    def __init__(self, *, k: int = 200) -> None:
        self.k = k
        self._sketches: dict[str, bytes] = {}

    def update(self, batch: Batch) -> None:
        import numpy as np
        from datasketches import kll_doubles_sketch

        frame = batch.frame
        for label in frame.columns:
            series = frame[label]
            if column_kind(series) != "numeric":
                continue
            values = series.to_numpy(dtype=np.float64, na_value=np.nan)
            values = values[np.isfinite(values)]
            if not len(values):
                continue
            name = str(label)
            known = self._sketches.get(name)
            sketch = (
                kll_doubles_sketch.deserialize(known)
                if known is not None
                else kll_doubles_sketch(self.k)
            )
            sketch.update(values)
            self._sketches[name] = sketch.serialize()

    def merge(self, other: Any) -> None:
        from datasketches import kll_doubles_sketch

        assert isinstance(other, EdgesPass)
        for name, blob in other._sketches.items():
            mine = self._sketches.get(name)
            if mine is None:
                self._sketches[name] = blob
                continue
            sketch = kll_doubles_sketch.deserialize(mine)
            sketch.merge(kll_doubles_sketch.deserialize(blob))
            self._sketches[name] = sketch.serialize()

    def edges(self, bins: int = 100) -> dict[str, list[float]]:
        """Inner edges per numeric column: its 1/bins .. (bins-1)/bins quantiles,
        deduplicated (a discrete column gets one bin per value)."""
        from datasketches import kll_doubles_sketch

        out: dict[str, list[float]] = {}
        levels = [i / bins for i in range(1, bins)]
        for name, blob in self._sketches.items():
            sketch = kll_doubles_sketch.deserialize(blob)
            cuts = sorted({float(q) for q in sketch.get_quantiles(levels)})
            if len(cuts) > 1 or (cuts and sketch.get_min_value() < cuts[0]):
                out[name] = cuts
        return out
