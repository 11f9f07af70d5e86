"""``method: auto``: an effect size, judged against a noise-aware level.

A p-value test answers "is there *any* difference?", so on a million rows it flags
shifts nobody cares about; a fixed distance threshold answers "is the difference
*large*?", but on a few hundred rows sampling noise alone crosses it. ``auto``
measures an effect size and fails a column when it exceeds both

1. a **materiality floor** (the check's level, default ``fail: 0.1``), the smallest
   change worth an alarm; and
2. the **noise bound**: the value the statistic reaches with probability about
   1 in 1,000 when nothing changed, at the reference's and the run's sizes.

So the effective level is ``max(floor, noise bound)``: large samples are judged
on materiality, small ones on evidence. Per column kind:

- **numeric**: the Wasserstein distance normed by the reference's standard
  deviation (evidently's ``wasserstein``). With no change, the two empirical
  CDFs differ by about ``B(F(x)) * sqrt(1/n_ref + 1/n_cur)`` for a Brownian
  bridge ``B``, so the distance is about ``sqrt(1/n_ref + 1/n_cur) * integral
  |B(F(x))| dx``, whose mean is ``sqrt(2/pi) * S`` with ``S = integral
  sqrt(F (1 - F)) dx`` computed from the reference's own profile (so the bound
  follows the column's shape). The bound is ``W_NOISE * sqrt(1/n_ref +
  1/n_cur) * S / sd``; ``W_NOISE`` was calibrated by simulation (tests hold it).
- **categorical and boolean**: the Jensen-Shannon distance (natural log,
  evidently's ``jensenshannon``). With no change, ``8 * JS**2`` behaves like a
  chi-square statistic with ``k - 1`` degrees of freedom scaled by
  ``1/n_ref + 1/n_cur`` (``k`` = categories seen), so the bound is
  ``sqrt(chi2.ppf(1 - JS_ALPHA, k - 1) * (1/n_ref + 1/n_cur) / 8)``. Where a
  category is too rare for that approximation (fewer than
  :data:`MIN_EXPECTED` rows expected on a side), the bound is the same quantile
  of the JS distance between two samples drawn from the pooled shares at the two
  sizes (:data:`DRAWS` draws from a fixed seed, so the bound is reproducible).
- **the shape of a numeric column**: a change that moves much mass a short way,
  such as a tenth of the rows collapsing onto one value (a default filled in for
  missing data), barely moves the Wasserstein distance. So numeric columns are
  also judged on their histograms over the reference's nine equal-mass bins:
  the *shape distance* ``sqrt(sum((q - p)**2 / p))`` of the run's shares ``q``
  from the reference's ``p`` (the root chi-square divergence, which a ``d``-sd
  shift of a normal moves by about ``d``). With no change it stays below
  ``sqrt(chi2.ppf(1 - JS_ALPHA, k - 1) * (1/n_ref + 1/n_cur))``, or the same
  quantile drawn as for sparse categories. A column fails when either statistic
  crosses its level; the result reports the Wasserstein distance unless the
  shape alone grades worse.

**One effect-size scale.** The floor is read in standard deviations for every
column kind. A shift of ``d`` sd of a normal gives a normed Wasserstein distance
of ``d`` and a JS distance of about ``d / sqrt(8)`` (``8 * JS**2`` is about the
chi-square divergence, which is ``d**2`` for a location shift), so JS distances
are held to ``level / sqrt(8)`` (:data:`JS_PER_SD`): ``fail: 0.1`` means "a
change as large as a tenth of a standard deviation" for numbers, categories and
shapes alike.

A ``warn`` level, when given, is raised to the same bound.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import numpy.typing as npt

__all__ = [
    "DRAWS",
    "JS_ALPHA",
    "JS_PER_SD",
    "MIN_EXPECTED",
    "W_NOISE",
    "js_floor",
    "js_noise",
    "shape_distance",
    "shape_noise",
    "wasserstein_noise",
]

W_NOISE = 2.2
"""Multiple of ``sqrt(1/n_ref + 1/n_cur) * S / sd`` below which W is noise."""

JS_ALPHA = 0.001
"""Tail probability of the chi-square quantile behind the JS noise bound."""

JS_PER_SD = 1 / math.sqrt(8)
"""The JS distance of a one-sd shift, to first order: JS levels are
``level * JS_PER_SD``."""

MIN_EXPECTED = 5.0
"""Rows expected in every category on each side for the chi-square bound to hold."""

DRAWS = 4000
"""Samples drawn for a bound where the chi-square approximation does not hold."""

PILOT_ALPHA = 0.01
"""The tail share read off the draws, then carried out to :data:`JS_ALPHA`."""

SMALL = 1000
"""Rows per side below which the shape's bound is drawn, not approximated."""

SEED = 20_261_201
"""The fixed seed of those draws (the bound is the same on every run)."""


def wasserstein_noise(spread: float, sd: float, n_ref: int, n_cur: int) -> float:
    """The normed Wasserstein distance that sampling noise alone rarely exceeds.

    Args:
        spread: ``integral sqrt(F (1 - F)) dx`` of the reference.
        sd: the reference's standard deviation (the norm).
        n_ref: reference values compared.
        n_cur: run values compared.
    """
    if sd <= 0:
        return 0.0
    return W_NOISE * math.sqrt(1 / n_ref + 1 / n_cur) * spread / sd


def js_floor(level: float) -> float:
    """The JS distance that a change of ``level`` standard deviations makes."""
    return level * JS_PER_SD


def js_noise(reference: npt.ArrayLike, current: npt.ArrayLike) -> float:
    """The Jensen-Shannon distance that sampling noise alone rarely exceeds.

    Args:
        reference: the reference's counts per category (or bin).
        current: the run's counts on the same categories.
    """
    r = np.asarray(reference, np.float64)
    c = np.asarray(current, np.float64)
    n_ref, n_cur = float(r.sum()), float(c.sum())
    pooled = r + c
    shares = pooled[pooled > 0] / pooled.sum() if pooled.sum() else pooled[:0]
    k = len(shares)
    if k < 2 or n_ref <= 0 or n_cur <= 0:
        return 0.0
    if min(n_ref, n_cur) * float(shares.min()) >= MIN_EXPECTED:
        from scipy.special import chdtri

        q = float(chdtri(k - 1, JS_ALPHA))
        return math.sqrt(q * (1 / n_ref + 1 / n_cur) / 8)
    return _drawn_js_noise(shares, int(n_ref), int(n_cur))


def shape_distance(reference: npt.ArrayLike, current: npt.ArrayLike) -> float:
    """``sqrt(sum((q - p)**2 / p))`` over the bins where the reference has mass."""
    r = np.asarray(reference, np.float64)
    c = np.asarray(current, np.float64)
    if r.sum() <= 0 or c.sum() <= 0:
        return 0.0
    return float(np.sqrt(_chi_divergence(r / r.sum(), c / c.sum(), r > 0)))


def shape_noise(reference: npt.ArrayLike, current: npt.ArrayLike) -> float:
    """The shape distance that sampling noise alone rarely exceeds.

    From :data:`SMALL` rows on each side the chi-square bound holds; below, the
    bound is drawn: the bins' true masses vary around the reference's shares as
    a Dirichlet of its counts (the bins are the reference's own quantiles), and
    the run's counts are multinomial on them.
    """
    r = np.asarray(reference, np.float64)
    c = np.asarray(current, np.float64)
    n_ref, n_cur = float(r.sum()), float(c.sum())
    k = int(np.count_nonzero(r))
    if k < 2 or n_cur <= 0:
        return 0.0
    small = min(n_ref, n_cur) < SMALL
    if not small and n_cur * float(r[r > 0].min()) / n_ref >= MIN_EXPECTED:
        from scipy.special import chdtri

        q = float(chdtri(k - 1, JS_ALPHA))
        return math.sqrt(q * (1 / n_ref + 1 / n_cur))
    return _drawn_shape_noise(tuple(r[r > 0].tolist()), int(n_cur))


@functools.lru_cache(maxsize=256)
def _drawn_shape_noise(counts: tuple[float, ...], n_cur: int) -> float:
    r = np.asarray(counts)
    g = np.random.default_rng(SEED)
    p = r / r.sum()
    drawn = g.multinomial(n_cur, g.dirichlet(r, size=DRAWS)) / n_cur
    return _scaled_bound(_chi_divergence(p, drawn, p > 0, axis=1), len(r))


def _scaled_bound(squares: npt.NDArray[np.float64], k: int) -> float:
    """The noise bound from draws of the squared statistic under no change.

    Their ``1 - PILOT_ALPHA`` quantile is stable at :data:`DRAWS` draws; it is
    carried out to ``1 - JS_ALPHA`` along the chi-square's tail (``k - 1``
    degrees of freedom), whose scale the draws have fixed.
    """
    from scipy.special import chdtri

    pilot = float(np.quantile(squares, 1 - PILOT_ALPHA))
    ratio = float(chdtri(k - 1, JS_ALPHA)) / float(chdtri(k - 1, PILOT_ALPHA))
    return math.sqrt(pilot * ratio)


def _chi_divergence(
    p: npt.NDArray[np.float64],
    q: npt.NDArray[np.float64],
    where: npt.NDArray[np.bool_],
    axis: int | None = None,
) -> npt.NDArray[np.float64]:
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(where, (q - p) ** 2 / p, 0.0)
    return np.asarray(terms.sum(axis=axis), np.float64)


def _js_squares(
    a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """The squared JS distance between each row of ``a`` and of ``b``."""
    m = (a + b) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        left = np.where(a > 0, a * np.log(a / m), 0.0).sum(axis=1)
        right = np.where(b > 0, b * np.log(b / m), 0.0).sum(axis=1)
    return np.asarray(np.maximum((left + right) / 2, 0.0), np.float64)


def _drawn_js_noise(shares: npt.NDArray[np.float64], n_ref: int, n_cur: int) -> float:
    """The JS bound drawn from two samples of the pooled ``shares``."""
    g = np.random.default_rng(SEED)
    a = g.multinomial(n_ref, shares, size=DRAWS) / n_ref
    b = g.multinomial(n_cur, shares, size=DRAWS) / n_cur
    return _scaled_bound(_js_squares(a, b), len(shares))
