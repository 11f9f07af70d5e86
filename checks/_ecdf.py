"""Distribution-function statistics: KS, Wasserstein and energy distance.

Two ways in, one definition:

- **raw samples** (:func:`ks_2samp`, :func:`wasserstein_distance`,
  :func:`energy_distance`): each sample is sorted once, then both empirical CDFs are
  evaluated on the merged sorted values with ``searchsorted``; the statistics are
  scipy's (``scipy.stats.ks_2samp``, ``wasserstein_distance``, ``energy_distance``)
  and the oracle tests hold them to scipy's own test cases.
- **profiles** (:class:`BinnedCDF`): a numeric profile knows its CDF exactly at the
  reference's bin edges (counts below each edge) and its own min and max. Between
  knots the CDF is taken as linear (values spread evenly inside a bin), so
  :func:`binned_ks` is the largest CDF gap at the edges (exact there, so never above
  the raw-data statistic) and :func:`binned_wasserstein` integrates the gap of the
  two piecewise-linear CDFs exactly. With the profile's 100 equal-frequency bins
  both stay within about 1% of the exact value on large samples (a test bounds it).

KS p-values: the asymptotic ones are Smirnov's, as scipy computes them
(``kstwo.sf`` two-sided, Hodges' approximation one-sided); the exact small-sample
distribution (``method="exact"``, or ``auto`` up to 10,000 rows per side) is taken
from ``scipy.stats.ks_2samp`` on the already sorted samples.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

__all__ = [
    "BinnedCDF",
    "KSResult",
    "binned_ks",
    "binned_wasserstein",
    "energy_distance",
    "ks_2samp",
    "ks_pvalue",
    "wasserstein_distance",
]

FloatArray = npt.NDArray[np.float64]
Alternative = Literal["two-sided", "less", "greater"]
KSMethod = Literal["auto", "exact", "asymp"]
MAX_EXACT_N = 10_000
"""Up to this many values per side, ``method="auto"`` uses the exact distribution."""


@dataclass(frozen=True)
class KSResult:
    """A two-sample Kolmogorov-Smirnov test: the statistic D and its p-value."""

    statistic: float
    pvalue: float


def _sorted(values: npt.ArrayLike) -> FloatArray:
    arr = np.asarray(values, dtype=np.float64).ravel()
    if arr.size == 0:
        raise ValueError("a sample is empty")
    return np.sort(arr)


def ks_pvalue(
    d: float,
    n1: int,
    n2: int,
    alternative: Alternative = "two-sided",
) -> float:
    """The asymptotic p-value of a two-sample KS statistic (scipy's formulas).

    Args:
        d: the statistic.
        n1: the first sample's size.
        n2: the second sample's size.
        alternative: ``two-sided``, ``less`` or ``greater``.

    Returns:
        The p-value, clipped to [0, 1].
    """
    m, n = sorted((float(n1), float(n2)), reverse=True)
    en = m * n / (m + n)
    if alternative == "two-sided":
        from scipy.stats import kstwo

        prob = float(kstwo.sf(d, np.round(en)))
    else:
        z = math.sqrt(en) * d
        expt = -2 * z**2 - 2 * z * (m + 2 * n) / math.sqrt(m * n * (m + n)) / 3.0
        prob = math.exp(expt)
    return min(max(prob, 0.0), 1.0)


def ks_2samp(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    alternative: Alternative = "two-sided",
    method: KSMethod = "auto",
) -> KSResult:
    """Two-sample Kolmogorov-Smirnov test, as ``scipy.stats.ks_2samp``.

    Args:
        x: the first sample (e.g. the reference).
        y: the second sample.
        alternative: ``greater`` means the CDF of ``x`` lies above that of ``y``.
        method: ``exact``, ``asymp``, or ``auto`` (exact up to 10,000 per side).

    Returns:
        The statistic and p-value.

    Raises:
        ValueError: a sample is empty.
    """
    xs, ys = _sorted(x), _sorted(y)
    n1, n2 = len(xs), len(ys)
    both = np.concatenate([xs, ys])
    diff = np.searchsorted(xs, both, side="right") / n1
    diff -= np.searchsorted(ys, both, side="right") / n2
    d_plus, d_minus = float(diff.max()), float(np.clip(-diff.min(), 0, 1))
    if alternative == "greater":
        d = d_plus
    elif alternative == "less":
        d = d_minus
    else:
        d = max(d_plus, d_minus)
    if method == "auto":
        method = "exact" if max(n1, n2) <= MAX_EXACT_N else "asymp"
    if method == "exact":
        from scipy import stats

        exact = stats.ks_2samp(xs, ys, alternative=alternative, method="exact")
        return KSResult(d, float(exact.pvalue))
    return KSResult(d, ks_pvalue(d, n1, n2, alternative))


def _cdf_gaps(
    u: FloatArray, v: FloatArray, uw: FloatArray | None, vw: FloatArray | None
) -> tuple[FloatArray, FloatArray]:
    """Widths between the merged sorted values and the CDF gap on each."""
    ui, vi = np.argsort(u), np.argsort(v)
    us, vs = u[ui], v[vi]
    both = np.sort(np.concatenate([u, v]))
    widths = np.diff(both)
    left = both[:-1]

    def cdf(
        sorted_vals: FloatArray, order: npt.NDArray[np.intp], w: FloatArray | None
    ) -> FloatArray:
        idx = np.searchsorted(sorted_vals, left, side="right")
        if w is None:
            result: FloatArray = idx / len(sorted_vals)
            return result
        cum = np.concatenate([[0.0], np.cumsum(w[order])])
        weighted: FloatArray = cum[idx] / cum[-1]
        return weighted

    return widths, cdf(us, ui, uw) - cdf(vs, vi, vw)


def _weights(w: npt.ArrayLike | None, n: int) -> FloatArray | None:
    if w is None:
        return None
    arr = np.asarray(w, dtype=np.float64)
    if arr.shape != (n,) or (arr < 0).any() or not arr.sum() > 0:
        raise ValueError("weights must be non-negative, one per value, not all zero")
    return arr


def wasserstein_distance(
    u: npt.ArrayLike,
    v: npt.ArrayLike,
    u_weights: npt.ArrayLike | None = None,
    v_weights: npt.ArrayLike | None = None,
) -> float:
    """1-D earth mover's distance between two (weighted) samples, as scipy's.

    Returns:
        ``integral |F_u - F_v| dx``.
    """
    ua, va = np.asarray(u, np.float64).ravel(), np.asarray(v, np.float64).ravel()
    widths, gap = _cdf_gaps(
        ua, va, _weights(u_weights, len(ua)), _weights(v_weights, len(va))
    )
    return float(np.dot(widths, np.abs(gap)))


def energy_distance(
    u: npt.ArrayLike,
    v: npt.ArrayLike,
    u_weights: npt.ArrayLike | None = None,
    v_weights: npt.ArrayLike | None = None,
) -> float:
    """Energy distance as scipy defines it: ``sqrt(2) * L2 norm of F_u - F_v``."""
    ua, va = np.asarray(u, np.float64).ravel(), np.asarray(v, np.float64).ravel()
    widths, gap = _cdf_gaps(
        ua, va, _weights(u_weights, len(ua)), _weights(v_weights, len(va))
    )
    return float(math.sqrt(2.0) * math.sqrt(np.dot(widths, gap * gap)))


@dataclass(frozen=True)
class BinnedCDF:
    """A piecewise-linear CDF through ``(x[i], F[i])`` knots, from a profile.

    Build it with :meth:`from_counts`: the knots are the column's min, the bin
    edges that lie inside [min, max], and its max.
    """

    x: FloatArray
    f: FloatArray

    @classmethod
    def from_counts(
        cls,
        edges: list[float],
        counts: list[int],
        lo: float,
        hi: float,
        tails: list[float] | None = None,
    ) -> BinnedCDF:
        """The CDF of a histogram whose outer bins are open, given min and max.

        ``tails`` (the sums of the values in the two outer bins) place each outer
        bin's mass evenly on an interval ending at its edge with the right mean,
        instead of across all of ``[min, edge]``: a far outlier then moves the
        distance by what it weighs, not by the width it opens.

        Raises:
            ValueError: the counts are empty or do not match the edges.
        """
        if len(counts) != len(edges) + 1 or not sum(counts) > 0:
            raise ValueError("a histogram needs len(edges) + 1 counts, not all zero")
        e = np.asarray(edges, dtype=np.float64)
        below = np.cumsum(counts, dtype=np.float64)[:-1] / float(sum(counts))
        inside = (e > lo) & (e < hi)
        first, last = lo, hi
        if tails is not None and len(tails) == 2 and inside.any():
            if counts[0] > 0 and e[0] > lo:
                first = max(lo, min(2 * tails[0] / counts[0] - e[0], e[0]))
            if counts[-1] > 0 and e[-1] < hi:
                last = min(hi, max(2 * tails[1] / counts[-1] - e[-1], e[-1]))
        x = np.concatenate([[first], e[inside], [last]])
        f = np.concatenate([[0.0], below[inside], [1.0]])
        return cls(x, f)

    def at(self, points: FloatArray) -> FloatArray:
        """The CDF at ``points`` (0 below min, 1 above max)."""
        if self.x[-1] <= self.x[0]:  # a constant column: a step at its value
            return np.where(points >= self.x[0], 1.0, 0.0)
        return np.interp(points, self.x, self.f, left=0.0, right=1.0)

    def ends(self, xs: FloatArray) -> tuple[FloatArray, FloatArray]:
        """The CDF just inside each segment ``[xs[i], xs[i+1]]``, left and right.

        Equal to :meth:`at` for a continuous CDF; a constant column's step is
        flat inside every segment, so both ends take the midpoint's value.
        """
        if self.x[-1] <= self.x[0]:
            mid = self.at((xs[:-1] + xs[1:]) / 2)
            return mid, mid
        return self.at(xs[:-1]), self.at(xs[1:])

    def spread(self) -> float:
        """``integral sqrt(F (1 - F)) dx``: the scale of this CDF's sampling noise.

        An empirical CDF of n values departs from F by about ``B(F(x)) / sqrt(n)``
        (a Brownian bridge), whose mean absolute size at x is
        ``sqrt(2/pi) sqrt(F(1-F))``; integrated over x this sets the noise level
        of the Wasserstein distance (see :mod:`modelhealth.checks._auto`).
        """
        mid = (self.f[1:] + self.f[:-1]) / 2
        return float(np.dot(np.diff(self.x), np.sqrt(mid * (1 - mid))))


def binned_ks(a: BinnedCDF, b: BinnedCDF, edges: list[float]) -> float:
    """The largest gap of two profiles' CDFs at the reference's edges, where both
    are exact (so never above the raw-data statistic); at the ends for a
    histogram without edges."""
    points = np.asarray(edges, np.float64)
    if not len(points):
        points = np.concatenate([a.x[[0, -1]], b.x[[0, -1]]])
    return float(np.max(np.abs(a.at(points) - b.at(points)), initial=0.0))


def binned_wasserstein(a: BinnedCDF, b: BinnedCDF) -> float:
    """``integral |F_a - F_b| dx`` of two piecewise-linear CDFs, exactly."""
    xs = np.unique(np.concatenate([a.x, b.x]))
    if len(xs) < 2:
        return 0.0
    (a0, a1), (b0, b1) = a.ends(xs), b.ends(xs)
    g0, g1, w = a0 - b0, a1 - b1, np.diff(xs)
    same = g0 * g1 >= 0
    # on a segment where the gap changes sign, |g| is two triangles
    with np.errstate(divide="ignore", invalid="ignore"):
        crossing = (g0 * g0 + g1 * g1) / (2 * np.abs(g0 - g1))
    area = np.where(same, np.abs(g0 + g1) / 2, np.nan_to_num(crossing))
    return float(np.dot(w, area))
