from __future__ import annotations

import math

import numpy as np
import pytest

from checks.stats import OTHER, align_categories, psi


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
