"""Drift statistics: one function per statistic, on counts or on raw samples.

**Binned statistics** take two arrays of counts over the *same* bins: a numeric
column's histogram on the reference's edges (merged by :func:`coarsen` into about
ten groups of equal reference mass, the customary binning of PSI), or categories
aligned by :func:`align_categories`. With ``r`` and ``c`` the reference's and the
run's proportions:

- :func:`psi`, population stability index: ``sum (c - r) ln(c / r)``; < 0.1
  stable, 0.1-0.25 moderate, > 0.25 major (the customary reading).
- :func:`kl_div`, Kullback-Leibler divergence ``KL(r || c) = sum r ln(r / c)``.
- :func:`jensenshannon`, Jensen-Shannon *distance* (the square root of the
  divergence, natural log unless ``base``), in [0, 1] for base 2, as scipy's.
- :func:`hellinger`: ``sqrt(1 - sum sqrt(r c))``, in [0, 1].
- :func:`chi2_contingency`: Pearson's chi-square test of homogeneity on the
  2 x k table (both sides are samples, so the reference's own noise counts);
  :func:`chisquare_gof` is the goodness-of-fit variant that treats the reference
  proportions as known (evidently's ``chisquare``).
- :func:`z_proportions`: the pooled two-proportion z-test of one category's share.

Zero proportions: PSI and KL replace an empty bin's proportion by ``eps``
(1e-4 by default, as evidently), so one empty bin does not make them infinite;
``eps=None`` keeps the textbook value (possibly infinite).

**Distribution-function statistics** (KS, Wasserstein, energy distance) on raw
samples and on profiles live in :mod:`modelhealth.checks._ecdf` and are re-exported
here.

How the drift check grades them, and what ``auto`` does, is in
:mod:`modelhealth.checks._methods`
and :mod:`modelhealth.checks._auto`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from modelhealth.checks._ecdf import (
    BinnedCDF,
    KSResult,
    binned_ks,
    binned_wasserstein,
    energy_distance,
    ks_2samp,
    ks_pvalue,
    wasserstein_distance,
)

__all__ = [
    "OTHER",
    "BinnedCDF",
    "KSResult",
    "TestResult",
    "align_categories",
    "binned_ks",
    "binned_wasserstein",
    "chi2_contingency",
    "chisquare_gof",
    "coarsen",
    "energy_distance",
    "hellinger",
    "jensenshannon",
    "kl_div",
    "ks_2samp",
    "ks_pvalue",
    "psi",
    "wasserstein_distance",
    "z_proportions",
]

OTHER = "__other__"
"""The label of the bucket that holds the values a profile did not keep by name."""

Counts = Sequence[float] | npt.NDArray[np.float64] | npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
TestResult = tuple[float, float]
"""``(statistic, p_value)``."""


def _pair(reference: Counts, current: Counts) -> tuple[FloatArray, FloatArray]:
    r = np.asarray(reference, dtype=np.float64)
    c = np.asarray(current, dtype=np.float64)
    if r.shape != c.shape:
        raise ValueError(f"bins differ: {len(r)} reference, {len(c)} current")
    for which, arr in (("reference", r), ("current", c)):
        if not arr.sum() > 0:
            raise ValueError(f"{which} counts are empty (they sum to {arr.sum():g})")
        if (arr < 0).any():
            raise ValueError(f"{which} counts are negative")
    return r, c


def _proportions(arr: FloatArray, eps: float | None, norm: bool = True) -> FloatArray:
    p = arr / arr.sum() if norm else arr
    if eps is not None:
        p = np.where(p == 0, eps, p)
    return p


def psi(
    reference_counts: Counts,
    current_counts: Counts,
    *,
    eps: float | None = 1e-4,
    normalise: bool = True,
) -> float:
    """Population Stability Index of two histograms over the same bins.

    Args:
        reference_counts: counts per bin in the reference.
        current_counts: counts per bin in the run, in the same bin order.
        eps: the proportion given to an empty bin; ``None`` leaves it 0.
        normalise: divide by the totals; ``False`` when proportions are given.

    Returns:
        ``sum((c - r) * ln(c / r))`` over the proportions; 0.0 when identical.

    Raises:
        ValueError: the arrays differ in length or one of them sums to zero.
    """
    r, c = _pair(reference_counts, current_counts)
    r, c = _proportions(r, eps, normalise), _proportions(c, eps, normalise)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = (c - r) * np.log(c / r)
    return float(np.sum(np.where((c == 0) & (r == 0), 0.0, terms)))


def kl_div(
    reference_counts: Counts,
    current_counts: Counts,
    *,
    eps: float | None = 1e-4,
    normalise: bool = True,
) -> float:
    """``KL(reference || current)`` in nats; see :func:`psi` for the arguments."""
    r, c = _pair(reference_counts, current_counts)
    r, c = _proportions(r, eps, normalise), _proportions(c, eps, normalise)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(r > 0, r * np.log(r / c), 0.0)
    return float(np.sum(terms))


def jensenshannon(
    reference_counts: Counts, current_counts: Counts, *, base: float | None = None
) -> float:
    """Jensen-Shannon distance (``scipy.spatial.distance.jensenshannon``).

    Args:
        reference_counts: counts (or weights) per bin; normalised to sum 1.
        current_counts: the same for the run.
        base: the logarithm's base; natural log when ``None``.

    Returns:
        ``sqrt((KL(r || m) + KL(c || m)) / 2)``, ``m = (r + c) / 2``.
    """
    r, c = _pair(reference_counts, current_counts)
    r, c = r / r.sum(), c / c.sum()
    m = (r + c) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        left = np.where(r > 0, r * np.log(r / m), 0.0).sum()
        right = np.where(c > 0, c * np.log(c / m), 0.0).sum()
    js = (left + right) / 2
    if base is not None:
        js /= math.log(base)
    return float(math.sqrt(max(js, 0.0)))


def hellinger(reference_counts: Counts, current_counts: Counts) -> float:
    """Hellinger distance ``sqrt(1 - sum sqrt(r c))`` of two histograms."""
    r, c = _pair(reference_counts, current_counts)
    bc = float(np.sum(np.sqrt((r / r.sum()) * (c / c.sum()))))
    return math.sqrt(1.0 - min(max(bc, 0.0), 1.0))


def chi2_contingency(reference_counts: Counts, current_counts: Counts) -> TestResult:
    """Pearson's chi-square test of homogeneity of two samples' counts.

    Bins empty on both sides are dropped; no continuity correction.

    Returns:
        ``(statistic, p_value)`` with ``k - 1`` degrees of freedom.
    """
    r, c = _pair(reference_counts, current_counts)
    keep = (r + c) > 0
    table = np.vstack([r[keep], c[keep]])
    if table.shape[1] < 2:
        return 0.0, 1.0
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0) / table.sum()
    stat = float(((table - expected) ** 2 / expected).sum())
    from scipy.special import chdtrc

    return stat, float(chdtrc(table.shape[1] - 1, stat))


def chisquare_gof(reference_counts: Counts, current_counts: Counts) -> TestResult:
    """Chi-square goodness of fit of the run to the reference's proportions.

    The variant evidently calls ``chisquare``: ``scipy.stats.chisquare(f_obs=cur,
    f_exp=ref * n_cur / n_ref)``. It ignores the reference's sampling noise.
    """
    r, c = _pair(reference_counts, current_counts)
    expected = r * c.sum() / r.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(expected > 0, (c - expected) ** 2 / expected, np.inf)
    terms = np.where((c == 0) & (expected == 0), 0.0, terms)
    stat = float(terms.sum())
    from scipy.special import chdtrc

    return stat, float(chdtrc(max(len(r) - 1, 1), stat)) if len(r) > 1 else 1.0


def z_proportions(reference_counts: Counts, current_counts: Counts) -> TestResult:
    """Two-proportion z-test (pooled), two-sided.

    On two bins it tests the first bin's share. On more, each bin's share is
    tested against the rest and the smallest p-value, times the number of bins
    (Bonferroni), is returned with that bin's z.

    Returns:
        ``(z, p_value)``.
    """
    r, c = _pair(reference_counts, current_counts)
    n1, n2 = r.sum(), c.sum()
    bins = range(1) if len(r) <= 2 else range(len(r))
    best = (0.0, 1.0)
    from scipy.special import ndtr

    for i in bins:
        p1, p2 = r[i] / n1, c[i] / n2
        pooled = (r[i] + c[i]) / (n1 + n2)
        se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        z = 0.0 if se == 0 else (p1 - p2) / se
        p = min(1.0, float(2 * ndtr(-abs(z))) * len(bins))
        if p < best[1] or i == 0:
            best = (z, p)
    return best


def coarsen(
    reference_counts: Counts, current_counts: Counts, groups: int = 10
) -> tuple[FloatArray, FloatArray]:
    """Merge adjacent bins into about ``groups`` bins of equal reference mass.

    A profile keeps 100 fine bins so that KS and Wasserstein are close to exact;
    binned statistics (PSI, KL, JS, Hellinger, chi-square) are read on ~10 bins,
    their customary resolution, where their usual thresholds apply.
    """
    r, c = _pair(reference_counts, current_counts)
    if len(r) <= groups:
        return r, c
    cum = np.cumsum(r) / r.sum()
    # the group of a fine bin is how many 1/groups steps its right end passed
    group = np.minimum((cum * groups - 1e-9).astype(np.int64), groups - 1)
    _, idx = np.unique(group, return_inverse=True)
    merged_r: FloatArray = np.bincount(idx, weights=r).astype(np.float64)
    merged_c: FloatArray = np.bincount(idx, weights=c).astype(np.float64)
    return merged_r, merged_c


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

    A category the run names but the reference does not is new only when the
    reference kept every value by name (``reference_other == 0``). Otherwise it may
    sit in the reference's "other" bucket, so it is counted in the run's "other":
    comparing it by name against 0 would report drift on every high-cardinality
    column.
    """
    if reference_other:
        moved = {k: n for k, n in current.items() if k not in reference}
        current = {k: n for k, n in current.items() if k in reference}
        current_other += sum(moved.values())
    labels = sorted(set(reference) | set(current))
    ref = [reference.get(k, 0) for k in labels]
    cur = [current.get(k, 0) for k in labels]
    if reference_other or current_other:
        labels.append(OTHER)
        ref.append(reference_other)
        cur.append(current_other)
    return labels, np.asarray(ref, dtype=np.int64), np.asarray(cur, dtype=np.int64)
