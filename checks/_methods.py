"""The drift methods: what each computes from two column profiles, and its defaults.

Every method reads the reference's and the run's
:class:`~modelhealth.checks.profile.ColumnProfile`
(the run's histogram on the reference's edges) and returns an :class:`Outcome`:
the statistic, a p-value for tests, the value that is graded, and the details a
reader needs to reproduce it (the binning above all).

- ``auto``: normed Wasserstein and the shape distance over nine bins (numeric),
  or the JS distance (categorical, boolean), graded on the statistic; default
  ``fail: 0.1`` in standard deviations (JS levels are that over ``sqrt(8)``), a
  floor raised to the noise bound (:mod:`modelhealth.checks._auto`).
- ``psi``: population stability index; ``warn: 0.1, fail: 0.25``.
- ``wasserstein``: W1 / reference std (ddof 0), as evidently; ``fail: 0.1``.
- ``jensenshannon``: JS distance, natural log; ``fail: 0.1``.
- ``hellinger``: Hellinger distance; ``fail: 0.1``.
- ``kl_div``: KL(reference || run); ``fail: 0.1``.
- ``ks``, ``chisquare`` (homogeneity), ``z`` (two proportions): tests, graded on
  their p-value; ``fail: 0.05``.

Distances fail at or above their level; tests fail when the p-value is at or
below it. Numeric columns: ``wasserstein`` and ``ks`` use the profile's fine
CDF (100 equal-frequency reference bins, see :mod:`modelhealth.checks._ecdf`); the
binned
statistics use those bins merged into 10 groups of equal reference mass
(:func:`modelhealth.checks.stats.coarsen`). ``z`` applies to categorical and boolean
columns only, ``ks`` and ``wasserstein`` to numeric ones.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from modelhealth.checks import _auto, stats
from modelhealth.checks.profile import ColumnProfile
from modelhealth.rules.models import Threshold

__all__ = ["DEFAULTS", "METHODS", "PVALUE_METHODS", "Outcome", "compute"]

MethodName = Literal[
    "auto",
    "psi",
    "wasserstein",
    "jensenshannon",
    "hellinger",
    "kl_div",
    "ks",
    "chisquare",
    "z",
]
METHODS: tuple[str, ...] = MethodName.__args__  # type: ignore[attr-defined]
PVALUE_METHODS = frozenset({"ks", "chisquare", "z"})
DEFAULTS: dict[str, Threshold] = {
    "auto": Threshold(fail=0.1),
    "psi": Threshold(warn=0.1, fail=0.25),
    "wasserstein": Threshold(fail=0.1),
    "jensenshannon": Threshold(fail=0.1),
    "hellinger": Threshold(fail=0.1),
    "kl_div": Threshold(fail=0.1),
    "ks": Threshold(fail=0.05),
    "chisquare": Threshold(fail=0.05),
    "z": Threshold(fail=0.05),
}
BINNED_GROUPS = 10
SHAPE_GROUPS = 9
"""``auto``'s shape bins: odd, so that the median (a usual fill value for missing
data) is the middle of a bin rather than an edge between two."""
Counts = npt.NDArray[np.float64]


class MethodError(ValueError):
    """The method does not apply to this column; the message says why."""


@dataclass(frozen=True)
class Outcome:
    """One column's statistic under one method.

    Attributes:
        method: the method that computed it (``auto`` resolved to its choice).
        statistic: the statistic's value.
        p_value: for tests, else ``None``.
        noise: for ``auto``, the noise bound its levels were raised to.
        details: binning and sizes, for the result's details.
        scale: for ``auto``, the factor from the check's levels (in standard
            deviations) to this statistic's (``JS_PER_SD`` for JS, 1 for W).
        shape: for ``auto`` on a numeric column, the shape distance of its
            binned histogram, judged beside the Wasserstein distance.
    """

    method: str
    statistic: float
    p_value: float | None = None
    noise: float | None = None
    details: dict[str, object] = field(default_factory=dict)
    scale: float = 1.0
    shape: Outcome | None = None

    @property
    def graded(self) -> float:
        """The number compared with the levels: the p-value for tests."""
        return self.statistic if self.p_value is None else self.p_value


_BINNED: dict[str, Callable[[Counts, Counts], float]] = {
    "psi": stats.psi,
    "jensenshannon": stats.jensenshannon,
    "hellinger": stats.hellinger,
    "kl_div": stats.kl_div,
}
_TESTS = {"chisquare": stats.chi2_contingency, "z": stats.z_proportions}


def _cdf(col: ColumnProfile, edges: list[float], counts: list[int]) -> stats.BinnedCDF:
    assert isinstance(col.min, float | int)
    assert isinstance(col.max, float | int)
    tails = col.tails if col.edges == edges else None
    return stats.BinnedCDF.from_counts(
        edges, counts, float(col.min), float(col.max), tails
    )


def _sd(col: ColumnProfile) -> float:
    return math.sqrt(col.m2 / col.count) if col.count else 0.0


def _numeric(
    method: str, ref: ColumnProfile, cur: ColumnProfile, cur_counts: list[int]
) -> Outcome:
    n_ref, n_cur = ref.count, cur.count
    sizes: dict[str, object] = {"bins": len(ref.counts)}
    if method in ("ks", "wasserstein", "auto"):
        a, b = _cdf(ref, ref.edges, ref.counts), _cdf(cur, ref.edges, cur_counts)
        if method == "ks":
            d = stats.binned_ks(a, b, ref.edges)
            return Outcome("ks", d, stats.ks_pvalue(d, n_ref, n_cur), details=sizes)
        sd = _sd(ref)
        norm = sd if sd > 0 else 1.0
        # W1 is never below the mean difference, which also sees shifts that stay
        # inside a bin (a discrete column's values moved by less than a step)
        assert ref.mean is not None
        assert cur.mean is not None
        w = max(stats.binned_wasserstein(a, b), abs(cur.mean - ref.mean)) / norm
        if sd == 0:
            sizes["note"] = "the reference is constant: the distance is not normed"
        sizes["reference_sd"] = sd
        if method == "wasserstein":
            return Outcome("wasserstein", w, details=sizes)
        noise = _auto.wasserstein_noise(a.spread(), sd, n_ref, n_cur)
        return Outcome(
            "wasserstein", w, noise=noise, details=sizes, shape=_shape(ref, cur_counts)
        )
    if method == "z":
        raise MethodError("z applies to categorical and boolean columns")
    r, c = stats.coarsen(
        np.asarray(ref.counts, np.float64),
        np.asarray(cur_counts, np.float64),
        BINNED_GROUPS,
    )
    sizes["bins"] = len(r)
    sizes["binning"] = (
        f"{len(ref.counts)} reference quantile bins merged into {len(r)} "
        "of equal reference mass"
    )
    return _counts(method, r, c, sizes)


def _shape(ref: ColumnProfile, cur_counts: list[int]) -> Outcome:
    """``auto``'s second look at a numeric column: JS over nine equal-mass bins."""
    r, c = stats.coarsen(
        np.asarray(ref.counts, np.float64),
        np.asarray(cur_counts, np.float64),
        SHAPE_GROUPS,
    )
    details: dict[str, object] = {
        "bins": len(r),
        "binning": f"{len(ref.counts)} reference quantile bins merged into {len(r)} "
        "of equal reference mass",
    }
    return Outcome(
        "shape",
        _auto.shape_distance(r, c),
        noise=_auto.shape_noise(r, c),
        details=details,
    )


def _counts(method: str, r: Counts, c: Counts, details: dict[str, object]) -> Outcome:
    if method in _TESTS:
        stat, p = _TESTS[method](r, c)
        return Outcome(method, stat, p, details=details)
    return Outcome(method, _BINNED[method](r, c), details=details)


def _categorical(method: str, ref: ColumnProfile, cur: ColumnProfile) -> Outcome:
    if method in ("ks", "wasserstein"):
        raise MethodError(
            f"{method} applies to numeric columns; use psi, "
            "jensenshannon, chisquare or auto"
        )
    labels, r, c = stats.align_categories(
        ref.categories,
        cur.categories,
        reference_other=ref.other,
        current_other=cur.other,
    )
    unseen = [k for k in labels if k != stats.OTHER and ref.categories.get(k, 0) == 0]
    details: dict[str, object] = {"bins": len(labels)}
    if unseen:
        details["unseen_categories"] = unseen[:10]
    rf, cf = r.astype(np.float64), c.astype(np.float64)
    if method == "auto":
        js = stats.jensenshannon(rf, cf)
        noise = _auto.js_noise(rf, cf)
        return Outcome(
            "jensenshannon", js, noise=noise, details=details, scale=_auto.JS_PER_SD
        )
    return _counts(method, rf, cf, details)


def compute(
    method: str, ref: ColumnProfile, cur: ColumnProfile, cur_counts: list[int]
) -> Outcome:
    """One column's statistic under ``method``.

    Args:
        method: one of :data:`METHODS`.
        ref: the reference's profile of the column.
        cur: the run's profile of the column (same kind family).
        cur_counts: the run's histogram on the reference's edges (numeric only).

    Raises:
        MethodError: the method does not apply to the column's kind.
    """
    if ref.kind == "numeric":
        return _numeric(method, ref, cur, cur_counts)
    return _categorical(method, ref, cur)
