"""Profiling: a frame, or a stream of batches, reduced to a :class:`Profile`.

:mod:`modelhealth.checks.profile` defines what a profile holds and how profiles
merge; this module computes them (one column at a time, by
:mod:`modelhealth.checks._summarize`).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

from modelhealth.checks._arrow import float_values, is_text_type, text_counts
from modelhealth.checks._nested import (
    NestedColumnError,
    Part,
    flatten,
    is_nested_type,
    nested_array,
)
from modelhealth.checks._summarize import (
    column_kind,
    summarize_column,
    summarize_values,
    top_categories,
)
from modelhealth.checks.passes import Batch, RowPass
from modelhealth.checks.profile import QUANTILES, ColumnProfile, Profile

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = [
    "CATEGORY_CAP",
    "EdgesPass",
    "ProfilePass",
    "profile_batches",
    "profile_frame",
]


CATEGORY_CAP = 10_000
"""How many categories a column keeps by name while its batches are merged."""

T = TypeVar("T")

PARALLEL_ROWS = 32_768
"""Frames of at least this many rows have their columns summarized in threads."""


def profile_frame(
    frame: pd.DataFrame,
    *,
    reference: Profile | None = None,
    bins: int = 100,
    max_categories: int = 50,
) -> Profile:
    """Profile every column of ``frame`` with vectorised numpy/pandas work.

    Nested columns (lists, structs, maps) are profiled as the flat columns of
    :mod:`modelhealth.checks._nested` (``transactions``'s lengths,
    ``transactions[].amount``, ``address.city``). A column whose values cannot be
    typed gets a profile holding only its ``error``; the others are profiled.

    Args:
        frame: the data; column names are turned into ``str``.
        reference: when given, numeric columns it holds are histogrammed on its
            edges (and count the values outside its range), and categorical
            columns keep a count for each of its categories (so drift compares
            like with like).
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
    return _profile(frame, None, reference, bins, max_categories)


def _profile(
    frame: pd.DataFrame,
    arrow: pa.RecordBatch | None,
    reference: Profile | None,
    bins: int,
    max_categories: int,
) -> Profile:
    """:func:`profile_frame`, reading nested columns from ``arrow`` when given."""
    ref_columns = reference.columns if reference is not None else {}
    jobs: list[ColumnProfile | tuple[Part, pa.ChunkedArray | pa.Array | None]] = []
    names = set(arrow.schema.names) if arrow is not None else set()
    for label in frame.columns:
        name = str(label)
        series = frame[label]
        text = None  # a flat Arrow column: its values are counted in Arrow
        try:
            if name in names:
                assert arrow is not None
                nested = arrow.column(name)
                if not is_nested_type(nested.type):
                    text, nested = nested, None
            else:
                nested = nested_array(series, name)
        except NestedColumnError as exc:
            jobs.append(
                ColumnProfile(
                    name=name, kind="categorical", nulls=len(series), error=str(exc)
                )
            )
            continue
        parts = [Part(name, series)] if nested is None else flatten(name, nested)
        jobs += [(part, text if part.name == name else None) for part in parts]

    def summarize(
        job: ColumnProfile | tuple[Part, pa.ChunkedArray | pa.Array | None],
    ) -> ColumnProfile:
        if isinstance(job, ColumnProfile):
            return job
        part, text = job
        col = summarize_column(
            part.values,
            part.name,
            reference=ref_columns.get(part.name),
            bins=bins,
            max_categories=max_categories,
            quantiles=QUANTILES,
            counts=text_counts(text) if text is not None else None,
        )
        if part.nested:
            col = replace(col, nested=part.nested, empty=part.empty)
        return col

    columns = {col.name: col for col in _summarized(summarize, jobs, len(frame))}
    return Profile(row_count=len(frame), columns=columns)


def _profile_arrow(
    arrow: pa.RecordBatch,
    reference: Profile | None,
    bins: int,
    max_categories: int,
) -> Profile | None:
    """The profile of a batch of plain numbers and text, read straight from
    Arrow (no pandas objects), equal to :func:`_profile` of its pandas view; or
    ``None`` for a batch with another kind of column (dates, booleans, bytes,
    nested values) or a pandas index among its columns."""
    import pyarrow as pa

    for field in arrow.schema:
        kind = field.type
        if not (pa.types.is_integer(kind) or pa.types.is_floating(kind)):
            if not is_text_type(kind):
                return None
    pandas = arrow.schema.pandas_metadata or {}
    if any(isinstance(c, str) for c in pandas.get("index_columns", ())):
        return None  # pandas would make it the index, not a column
    ref_columns = reference.columns if reference is not None else {}

    def summarize(index: int) -> ColumnProfile:
        name, column = arrow.schema.names[index], arrow.column(index)
        numeric = pa.types.is_integer(column.type) or pa.types.is_floating(column.type)
        values = float_values(column) if numeric else text_counts(column) or {}
        return summarize_values(
            values,
            len(column),
            name,
            reference=ref_columns.get(name),
            bins=bins,
            max_categories=max_categories,
            quantiles=QUANTILES,
        )

    found = _summarized(summarize, range(arrow.num_columns), arrow.num_rows)
    return Profile(row_count=arrow.num_rows, columns={c.name: c for c in found})


def _summarized(
    summarize: Callable[[T], ColumnProfile], jobs: Sequence[T], rows: int
) -> Iterator[ColumnProfile]:
    """``summarize`` of each job, in order; in threads for a large batch."""
    if rows >= PARALLEL_ROWS and len(jobs) > 1:
        return _workers().map(summarize, jobs)
    return map(summarize, jobs)


@functools.cache
def _workers() -> ThreadPoolExecutor:
    """The threads that summarize a large batch's columns side by side: sorting,
    the bulk of a numeric column's cost, releases the GIL."""
    return ThreadPoolExecutor(
        max_workers=min(4, os.cpu_count() or 1), thread_name_prefix="profile"
    )


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
            profile provides the edges of all batches.
        bins: as in :func:`profile_frame`.
        max_categories: as in :func:`profile_frame`.

    Returns:
        The merged profile (``row_count`` 0 with no columns for no batches).
    """
    profile_pass = ProfilePass(reference, bins=bins, max_categories=max_categories)
    for batch in batches:
        profile_pass.update(Batch(frame=batch))
    return profile_pass.profile()


class ProfilePass(RowPass):
    """The run's :class:`Profile`, built batch by batch; equal to one pass's.

    Every batch is binned on the reference's edges, else on ``edges`` (the
    run's own equal-frequency edges from an :class:`EdgesPass` over the same
    rows), else on the first batch's edges; then the batch profiles merge:
    counts, moments, histograms and quantile sketches exactly (see
    :mod:`modelhealth.checks.profile`). Categories are not cut per batch: each
    column keeps every category by name up to :data:`CATEGORY_CAP`, and
    :meth:`profile` keeps the ``max_categories`` most frequent (plus the
    reference's), as :func:`profile_frame` of all rows would. A column with more
    distinct values than the cap keeps, after each merge, the cap's most frequent
    and counts the rest in ``other`` (frequent items, as Misra-Gries: a category
    frequent overall may be undercounted by what earlier batches dropped, and
    ``distinct`` becomes a lower bound).
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
        """The reference's columns, else the EdgesPass's edges, else the first
        batch's (for columns neither knows, such as a new nested field)."""
        edges: dict[str, list[float]] = {}
        if self._merged is not None:
            edges = {
                name: col.edges
                for name, col in self._merged.columns.items()
                if col.kind == "numeric"
            }
        edges.update(self.edges)
        if self._merged is None and not edges and self.reference is None:
            return None
        columns = {
            name: ColumnProfile(name=name, kind="numeric", edges=list(e))
            for name, e in edges.items()
        }
        if self.reference is not None:
            columns.update(self.reference.columns)
        return Profile(row_count=0, columns=columns)

    def update(self, batch: Batch) -> None:
        binning = self._binning()
        cap = max(CATEGORY_CAP, self.max_categories)
        profile = None
        if batch.has_arrow and not batch.has_frame:
            profile = _profile_arrow(batch.arrow, binning, self.bins, cap)
        if profile is None:
            profile = _profile(
                batch.frame,
                batch.arrow if batch.has_arrow else None,
                binning,
                self.bins,
                cap,
            )
        self._add(profile)

    def merge(self, other: Any) -> None:
        assert isinstance(other, ProfilePass)
        if other._merged is not None:
            self._add(other._merged)

    def _add(self, profile: Profile) -> None:
        merged = profile if self._merged is None else self._merged.merge(profile)
        self._merged = _truncated(merged, CATEGORY_CAP, self.reference)

    def profile(self) -> Profile:
        """The profile of every row seen (``row_count`` 0 for none)."""
        if self._merged is None:
            return Profile(row_count=0)
        return _truncated(self._merged, self.max_categories, self.reference)


def _truncated(profile: Profile, limit: int, reference: Profile | None) -> Profile:
    """Each categorical column cut to its ``limit`` most frequent categories
    (plus the reference's), the rest counted in ``other``."""
    columns = dict(profile.columns)
    for name, col in profile.columns.items():
        if col.kind not in ("categorical", "boolean") or len(col.categories) <= limit:
            continue
        ref = reference.columns.get(name) if reference is not None else None
        keep = ref.categories if ref is not None else {}
        kept = top_categories(col.categories, limit, keep)
        dropped = sum(col.categories.values()) - sum(kept.values())
        columns[name] = replace(col, categories=kept, other=col.other + dropped)
    return replace(profile, columns=columns)


def _numeric_parts(batch: Batch) -> Iterator[tuple[str, pd.Series]]:
    """Every numeric column of a batch by its profile name, the numeric parts of
    nested columns included (``transactions``'s lengths, ``address.zip``)."""
    frame = batch.frame
    arrow = batch.arrow if batch.has_arrow else None
    names = set(arrow.schema.names) if arrow is not None else set()
    for label in frame.columns:
        name = str(label)
        series = frame[label]
        try:
            if name in names:
                assert arrow is not None
                nested = arrow.column(name)
                if not is_nested_type(nested.type):
                    nested = None
            else:
                nested = nested_array(series, name)
        except NestedColumnError:
            continue  # the profile reports the column
        parts = [Part(name, series)] if nested is None else flatten(name, nested)
        for part in parts:
            if column_kind(part.values) == "numeric":
                yield part.name, part.values


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

        for name, series in _numeric_parts(batch):
            values = series.to_numpy(dtype=np.float64, na_value=np.nan)
            values = values[np.isfinite(values)]
            if not len(values):
                continue
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
