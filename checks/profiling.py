"""Profiling: a frame, or a stream of batches, reduced to a :class:`Profile`.

:mod:`modelhealth.checks.profile` defines what a profile holds and how profiles
merge; this module computes them (one column at a time, by
:mod:`modelhealth.checks._summarize`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from modelhealth.checks._summarize import summarize_column
from modelhealth.checks.profile import QUANTILES, ColumnProfile, Profile

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["profile_batches", "profile_frame"]


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
