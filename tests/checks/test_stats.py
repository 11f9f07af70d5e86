from __future__ import annotations

import math

import numpy as np
import pytest

from modelhealth.checks import stats
from modelhealth.checks.stats import OTHER, align_categories, psi


def test_psi_hand_computed():
    # 0.4 ln(0.9/0.5) + (-0.4) ln(0.1/0.5)
    expected = 0.4 * math.log(1.8) - 0.4 * math.log(0.2)
    assert psi([50, 50], [90, 10]) == pytest.approx(expected, rel=1e-12)


def test_psi_identical_is_zero():
    assert psi([1, 2, 3], [10, 20, 30]) == pytest.approx(0.0, abs=1e-12)


def test_psi_empty_bin_stays_finite():
    assert math.isfinite(psi([10, 0], [5, 5]))


def _hist(x: np.ndarray, edges: np.ndarray) -> np.ndarray:
    idx = np.searchsorted(edges, x, side="right")
    return np.bincount(idx, minlength=len(edges) + 1)


def test_psi_one_sd_shift_is_major():
    rng = np.random.default_rng(0)
    ref, cur = rng.normal(0, 1, 10_000), rng.normal(1, 1, 10_000)
    edges = np.quantile(ref, np.arange(1, 10) / 10)
    assert psi(_hist(ref, edges), _hist(cur, edges)) > 0.25


def test_psi_unchanged_sample_is_stable():
    rng = np.random.default_rng(1)
    ref, cur = rng.normal(0, 1, 10_000), rng.normal(0, 1, 10_000)
    edges = np.quantile(ref, np.arange(1, 10) / 10)
    assert psi(_hist(ref, edges), _hist(cur, edges)) < 0.1


@pytest.mark.parametrize(
    ("ref", "cur", "match"),
    [
        ([1, 2], [1, 2, 3], "bins differ"),
        ([0, 0], [1, 1], "reference counts are empty"),
    ],
)
def test_psi_rejects_bad_input(ref, cur, match):
    with pytest.raises(ValueError, match=match):
        psi(ref, cur)


def test_align_categories_union_and_other():
    labels, ref, cur = align_categories(
        {"a": 5, "b": 3}, {"b": 1, "c": 4}, current_other=2
    )
    assert labels == ["a", "b", "c", OTHER]
    assert ref.tolist() == [5, 3, 0, 0]
    assert cur.tolist() == [0, 1, 4, 2]


def test_align_categories_without_other():
    labels, _, _ = align_categories({"a": 1}, {"a": 2})
    assert labels == ["a"]


# --- profile-based KS and Wasserstein against the exact values ---


def _profiles(ref: np.ndarray, cur: np.ndarray):
    import pandas as pd

    from modelhealth.checks.profiling import profile_frame

    reference = profile_frame(pd.DataFrame({"x": ref}))
    current = profile_frame(pd.DataFrame({"x": cur}), reference=reference)
    return reference.columns["x"], current.columns["x"]


SHAPES = {
    "normal": lambda g, n: g.normal(0, 1, n),
    "lognormal": lambda g, n: g.lognormal(0, 1, n),
    "uniform": lambda g, n: g.uniform(0, 1, n),
}


@pytest.mark.parametrize("shape", list(SHAPES))
@pytest.mark.parametrize("change", ["none", "shift", "spread"])
def test_profile_statistics_are_close_to_exact_on_large_samples(shape, change):
    """Binning: the reference's 100 equal-frequency bins, CDF linear inside a bin,
    outer bins placed by their means. Bound: KS within 0.01 (it is exact at the
    edges, so never above the true value); normed Wasserstein within 0.01 sd."""
    from modelhealth.checks._methods import compute

    g = np.random.default_rng(5)
    ref = SHAPES[shape](g, 200_000)
    cur = SHAPES[shape](g, 200_000)
    sd = ref.std()
    if change == "shift":
        cur = cur + 0.3 * sd
    elif change == "spread":
        cur = cur.mean() + (cur - cur.mean()) * 1.3
    r, c = _profiles(ref, cur)
    ks = compute("ks", r, c, c.counts).statistic
    exact_ks = stats.ks_2samp(ref, cur).statistic
    assert exact_ks - 0.01 <= ks <= exact_ks + 1e-12
    w = compute("wasserstein", r, c, c.counts).statistic
    assert w == pytest.approx(stats.wasserstein_distance(ref, cur) / sd, abs=0.01)


def test_coarsen_merges_to_equal_reference_mass():
    ref = np.full(100, 10.0)
    cur = np.arange(100.0)
    r, c = stats.coarsen(ref, cur, 10)
    assert r.tolist() == [100.0] * 10
    assert c.sum() == cur.sum()
    assert c[0] == sum(range(10))


def test_tests_and_distances_basic_properties():
    same = ([10, 20, 30], [20, 40, 60])
    assert stats.jensenshannon(*same) == pytest.approx(0.0, abs=1e-7)
    assert stats.hellinger(*same) == pytest.approx(0.0, abs=1e-7)
    assert stats.kl_div(*same) == pytest.approx(0.0, abs=1e-12)
    assert stats.chi2_contingency(*same)[1] == pytest.approx(1.0)
    assert stats.z_proportions([50, 50], [50, 50]) == (0.0, 1.0)
    assert stats.hellinger([1, 0], [0, 1]) == pytest.approx(1.0)
    assert stats.jensenshannon([1, 0], [0, 1], base=2) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="bins differ"):
        stats.jensenshannon([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="current counts are empty"):
        stats.psi([1, 2], [0, 0])


def test_binned_wasserstein_of_two_constants_is_their_gap():
    a = stats.BinnedCDF.from_counts([2.0], [0, 10], 2.0, 2.0)
    b = stats.BinnedCDF.from_counts([2.0], [0, 10], 5.0, 5.0)
    assert stats.binned_wasserstein(a, b) == pytest.approx(3.0)
