"""Drift statistics on aligned count arrays, one function per statistic.

Every statistic takes two arrays of counts over the *same* bins (a numeric column's
histogram on the reference's edges, or categories aligned by :func:`align_categories`)
and returns one float. More statistics (KS, Wasserstein, Jensen-Shannon...) join as
further functions of the same shape.

Population Stability Index::

    r_i = ref_i / sum(ref),  c_i = cur_i / sum(cur),  both floored at eps
    psi = sum_i (c_i - r_i) * ln(c_i / r_i)

It is 0 for identical distributions and grows with the difference; the customary
reading is < 0.1 stable, 0.1-0.25 a moderate shift, > 0.25 a major shift. The floor
``eps`` keeps an empty bin from making the value infinite.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["OTHER", "align_categories", "psi"]

OTHER = "__other__"
"""The label of the bucket that holds the values a profile did not keep by name."""

Counts = Sequence[float] | npt.NDArray[np.float64] | npt.NDArray[np.int64]


def _proportions(counts: Counts, eps: float, which: str) -> npt.NDArray[np.float64]:
    arr = np.asarray(counts, dtype=np.float64)
    total = arr.sum()
    if not total > 0:
        raise ValueError(f"{which} counts are empty (they sum to {total:g})")
    result: npt.NDArray[np.float64] = np.maximum(arr / total, eps)
    return result


def psi(
    reference_counts: Counts, current_counts: Counts, *, eps: float = 1e-4
) -> float:
    """Population Stability Index of two histograms over the same bins.

    Args:
        reference_counts: counts per bin in the reference.
        current_counts: counts per bin in the run, in the same bin order.
        eps: the floor of each proportion, so empty bins stay finite.

    Returns:
        ``sum((c - r) * ln(c / r))`` over the proportions; 0.0 when identical.

    Raises:
        ValueError: the arrays differ in length or one of them sums to zero.
    """
    if len(reference_counts) != len(current_counts):
        raise ValueError(
            f"bins differ: {len(reference_counts)} reference, "
            f"{len(current_counts)} current"
        )
    r = _proportions(reference_counts, eps, "reference")
    c = _proportions(current_counts, eps, "current")
    return float(np.sum((c - r) * np.log(c / r)))


def align_categories(
    reference: Mapping[str, int],
    current: Mapping[str, int],
    *,
    reference_other: int = 0,
    current_other: int = 0,
) -> tuple[list[str], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Put two category-count maps on the same bins.

    Args:
        reference: reference counts by category.
        current: run counts by category.
        reference_other: reference values not kept by name.
        current_other: run values not kept by name.

    Returns:
        ``(labels, reference_counts, current_counts)``: the sorted union of the
        categories (a category missing on one side counts 0 there), followed by
        :data:`OTHER` when either side has values not kept by name.
    """
    labels = sorted(set(reference) | set(current))
    ref = [reference.get(k, 0) for k in labels]
    cur = [current.get(k, 0) for k in labels]
    if reference_other or current_other:
        labels.append(OTHER)
        ref.append(reference_other)
        cur.append(current_other)
    return labels, np.asarray(ref, dtype=np.int64), np.asarray(cur, dtype=np.int64)
