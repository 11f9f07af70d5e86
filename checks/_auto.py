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
  ``sqrt(chi2.ppf(1 - JS_ALPHA, k - 1) * (1/n_ref + 1/n_cur) / 8) * JS_SLACK``;
  the slack covers rare categories, where the approximation is optimistic.

A ``warn`` level, when given, is raised to the same bound.
"""

from __future__ import annotations

import math

__all__ = ["JS_ALPHA", "JS_SLACK", "W_NOISE", "js_noise", "wasserstein_noise"]

W_NOISE = 2.2
"""Multiple of ``sqrt(1/n_ref + 1/n_cur) * S / sd`` below which W is noise."""

JS_ALPHA = 0.001
"""Tail probability of the chi-square quantile behind the JS noise bound."""

JS_SLACK = 1.1
"""Factor on the JS bound for sparse categories (calibrated by simulation)."""


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


def js_noise(categories: int, n_ref: int, n_cur: int) -> float:
    """The Jensen-Shannon distance that sampling noise alone rarely exceeds.

    Args:
        categories: categories seen on either side (``k``).
        n_ref: reference values compared.
        n_cur: run values compared.
    """
    if categories < 2:
        return 0.0
    from scipy.special import chdtri

    q = float(chdtri(categories - 1, JS_ALPHA))
    return JS_SLACK * math.sqrt(q * (1 / n_ref + 1 / n_cur) / 8)
