"""Two models' metric on the same rows: values, DeLong and the paired bootstrap.

The point values are checked against scikit-learn (the ``metric`` check's own
computation), DeLong's variance against a direct O(m*n) implementation of the
estimator, and both interval methods against simulations whose true difference is
known: a 95% interval must hold it in about 95% of the samples.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from modelhealth.checks._metrics import compute
from modelhealth.checks._paired import MIN_ROWS, compare, delong
from modelhealth.checks.base import CheckError
from modelhealth.rules.models import PredictionSpec

BINARY = PredictionSpec(column="score")
REGRESSION = PredictionSpec(column="score", task="regression")
MULTICLASS = PredictionSpec(column="score", task="multiclass_classification")


def _binary(n, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    cand = np.clip(0.3 * y + 0.7 * rng.random(n), 0, 1).round(2)  # ties on purpose
    champ = np.clip(0.2 * y + 0.8 * rng.random(n), 0, 1)
    return pd.Series(y), pd.Series(cand), pd.Series(champ)


@pytest.mark.parametrize(
    "metric",
    ["roc_auc", "pr_auc", "brier", "log_loss", "accuracy", "precision", "recall", "f1"],
)
def test_binary_values_equal_scikit_learn(metric):
    y, cand, champ = _binary(700)
    c = compare(metric, y, cand, champ, BINARY, resamples=200)
    assert c.candidate == pytest.approx(compute(metric, y, cand, BINARY), abs=1e-12)
    assert c.champion == pytest.approx(compute(metric, y, champ, BINARY), abs=1e-12)
    assert c.difference == pytest.approx(c.candidate - c.champion)
    assert c.low < c.difference < c.high
    assert c.method == ("delong" if metric == "roc_auc" else "paired_bootstrap")


@pytest.mark.parametrize("metric", ["mae", "rmse", "mape", "r2"])
def test_regression_values_equal_scikit_learn(metric):
    rng = np.random.default_rng(1)
    truth = rng.normal(3, 1, 500)
    y = pd.Series(truth)
    cand = pd.Series(truth + rng.normal(0, 0.5, 500))
    champ = pd.Series(truth + rng.normal(0, 0.6, 500))
    c = compare(metric, y, cand, champ, REGRESSION, resamples=200)
    assert c.candidate == pytest.approx(compute(metric, y, cand, REGRESSION))
    assert c.champion == pytest.approx(compute(metric, y, champ, REGRESSION))
    assert c.low < c.difference < c.high


@pytest.mark.parametrize("metric", ["accuracy", "precision", "recall", "f1"])
def test_multiclass_values_equal_scikit_learn(metric):
    rng = np.random.default_rng(2)
    truth = rng.choice(list("abc"), 600)
    y = pd.Series(truth)
    # the candidate sometimes predicts a class the labels never have
    cand = pd.Series(
        np.where(rng.random(600) < 0.7, truth, rng.choice(list("abcd"), 600))
    )
    champ = pd.Series(
        np.where(rng.random(600) < 0.6, truth, rng.choice(list("abc"), 600))
    )
    c = compare(metric, y, cand, champ, MULTICLASS, resamples=200)
    assert c.candidate == pytest.approx(compute(metric, y, cand, MULTICLASS))
    assert c.champion == pytest.approx(compute(metric, y, champ, MULTICLASS))


def _delong_direct(y, a, b):
    """DeLong's variance of AUC(a) - AUC(b) from the kernel, pair by pair."""
    pos, neg = y == 1, y == 0
    comps = []
    for s in (a, b):
        x, z = s[pos][:, None], s[neg][None, :]
        psi = (x > z) + 0.5 * (x == z)
        comps.append((psi.mean(axis=1), psi.mean(axis=0), psi.mean()))
    (v10a, v01a, auca), (v10b, v01b, aucb) = comps
    s10 = np.cov(np.vstack([v10a, v10b]))
    s01 = np.cov(np.vstack([v01a, v01b]))
    contrast = np.array([1.0, -1.0])
    var = contrast @ s10 @ contrast / pos.sum() + contrast @ s01 @ contrast / neg.sum()
    return auca - aucb, var


def test_delong_matches_the_direct_estimator():
    labels, cand, champ = _binary(400, seed=3)
    y, a, b = labels.to_numpy(), cand.to_numpy(), champ.to_numpy()
    diff, var = _delong_direct(y, a, b)
    c = delong(y, a, b, confidence=0.95)
    assert c.difference == pytest.approx(diff, abs=1e-12)
    half = norm.ppf(0.975) * np.sqrt(var)
    assert c.low == pytest.approx(diff - half, abs=1e-12)
    assert c.high == pytest.approx(diff + half, abs=1e-12)


def _binormal(rng, n, mu_cand, mu_champ, rho=0.6):
    """Scores whose AUCs are known: Phi(mu / sqrt(2)) each, with correlated noise."""
    y = rng.integers(0, 2, n)
    noise = rng.multivariate_normal([0, 0], [[1, rho], [rho, 1]], size=n)
    return y, mu_cand * y + noise[:, 0], mu_champ * y + noise[:, 1]


@pytest.mark.slow
def test_delong_interval_covers_the_true_difference_95_percent_of_the_time():
    rng = np.random.default_rng(17)
    truth = norm.cdf(1.2 / np.sqrt(2)) - norm.cdf(1.0 / np.sqrt(2))
    hits = 0
    reps = 400
    for _ in range(reps):
        y, a, b = _binormal(rng, 300, 1.2, 1.0)
        c = delong(y, a, b, confidence=0.95)
        hits += c.low <= truth <= c.high
    assert 0.92 <= hits / reps <= 0.98


@pytest.mark.slow
def test_bootstrap_interval_covers_the_true_difference_95_percent_of_the_time():
    """Accuracy of two classifiers that are right 80% and 76% of the time, and
    right together more often than by chance: the true difference is 0.04."""
    rng = np.random.default_rng(5)
    n, reps, hits = 400, 300, 0
    for seed in range(reps):
        y = rng.integers(0, 2, n)
        shared = rng.random(n)
        right_c = shared < 0.80
        right_h = np.where(rng.random(n) < 0.5, shared < 0.76, rng.random(n) < 0.76)
        cand = np.where(right_c, y, 1 - y)
        champ = np.where(right_h, y, 1 - y)
        c = compare(
            "accuracy",
            pd.Series(y),
            pd.Series(cand),
            pd.Series(champ),
            BINARY,
            resamples=500,
            seed=seed,
        )
        hits += c.low <= 0.04 <= c.high
    assert 0.91 <= hits / reps <= 0.985


def test_the_interval_narrows_with_more_rows_and_is_seeded():
    def brier(n):
        y, cand, champ = _binary(n)
        return compare("brier", y, cand, champ, BINARY)

    small, large = brier(500), brier(20_000)
    assert large.high - large.low < (small.high - small.low) / 4
    again = brier(500)
    assert (again.low, again.high) == (small.low, small.high)


def test_too_few_rows_or_one_class_is_a_clear_error():
    y, cand, champ = _binary(MIN_ROWS - 1)
    few = rf"{MIN_ROWS - 1} rows .* at least {MIN_ROWS}"
    with pytest.raises(CheckError, match=few):
        compare("accuracy", y, cand, champ, BINARY)
    y = pd.Series([1] * 39 + [0])
    with pytest.raises(CheckError, match="1 negative"):
        compare("roc_auc", y, pd.Series(np.linspace(0, 1, 40)), pd.Series(
            np.linspace(1, 0, 40)), BINARY)  # fmt: skip
    y, cand, _ = _binary(100)
    with pytest.raises(CheckError, match="needs scores"):
        compare("brier", y, cand, pd.Series([0, 1] * 50), BINARY)
