"""Confidence-based performance estimation (CBPE) of a binary classifier.

The model, in one read:

1. **Calibration** (at baseline time): an isotonic regression maps the baseline's
   scores to the observed share of positives (scikit-learn's
   ``IsotonicRegression``); its breakpoints are all that is stored.
2. **Expected confusion matrix** (each run): a row with calibrated probability
   ``p`` and predicted class ``c`` (``score >= decision_threshold``) adds ``p * c``
   to the expected true positives, ``(1 - p) * c`` to the false positives, ``p *
   (1 - c)`` to the false negatives and the rest to the true negatives. Accuracy,
   precision, recall and F1 follow from the four sums; ROC AUC is the expected
   share of (positive, negative) pairs ordered by score, ties counting one half.
3. **Band**: labels are drawn from the calibrated probabilities :data:`DRAWS`
   times and the metric realized on each draw (the run's sampling spread); the
   calibration itself, fitted on a finite baseline, is uncertain too, so the
   baseline is also calibrated on :data:`BOOTSTRAPS` resamples of its own rows
   (stored as their probabilities at the main fit's breakpoints) and the run
   estimated under each (the calibration's spread). The band is the estimate ±
   1.96 of both spreads combined, where the realized value is expected to fall
   while the calibration holds.

The estimate is right when the relation between score and outcome is the
baseline's (covariate shift moves the scores, and the estimate follows). It cannot
see concept shift: when the same score means another chance of the outcome, only
labels tell.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from modelhealth.checks.base import CheckError

if TYPE_CHECKING:
    import pandas as pd

    from modelhealth.checks._metrics import MetricName
    from modelhealth.rules.models import RuleSet

__all__ = [
    "DRAWS",
    "ESTIMATED",
    "band",
    "calibrate",
    "estimate",
    "fit",
    "probabilities",
    "scores",
]

ESTIMATED: tuple[MetricName, ...] = ("roc_auc", "accuracy", "precision", "recall", "f1")
DRAWS = 200
MAX_BAND_ROWS = 20_000
MIN_LABELLED = 100
MAX_FIT_ROWS = 200_000
"""Larger baselines are sampled down to this many rows to calibrate."""
BOOTSTRAPS = 40
"""Calibrations fitted on resamples of the baseline, for the band."""


def scores(frame: pd.DataFrame, rule_set: RuleSet, where: str) -> pd.Series:
    """The binary classifier's score column of ``frame`` (``where`` names it).

    Raises:
        CheckError: not a binary classifier, no such column, or classes not scores.
    """
    from modelhealth.checks._metrics import is_score

    spec = rule_set.prediction
    if spec is None or spec.task != "binary_classification":
        raise CheckError(
            "estimated_metric estimates classifiers: 'prediction: {column: ..., "
            "task: binary_classification}' (a score column), or task: "
            "multiclass_classification with 'scores: {class: column, ...}'"
        )
    if spec.column not in frame.columns:
        raise CheckError(f"the prediction column {spec.column!r} is not in {where}")
    values = frame[spec.column]
    if not is_score(values.dropna()):
        raise CheckError(
            f"the prediction column {spec.column!r} holds classes, not scores; "
            "estimating performance needs the model's scores"
        )
    return values


def fit(frame: pd.DataFrame, rule_set: RuleSet) -> dict[str, Any]:
    """The calibration of the baseline's scores and the metrics realized on it.

    Raises:
        CheckError: what the baseline lacks (scores, labels, rows, a class).
    """
    from modelhealth.checks._metrics import _binary, compute

    if len(frame) > MAX_FIT_ROWS:
        frame = frame.sample(MAX_FIT_ROWS, random_state=0)
    values = scores(frame, rule_set, "the baseline data")
    label = rule_set.label
    if label is None:
        raise CheckError("estimated_metric needs 'label: {column: ...}' in the rules")
    if label.column not in frame.columns:
        raise CheckError(
            f"the baseline data has no label column {label.column!r}; "
            "estimated_metric calibrates the scores against the baseline's labels"
        )
    both = values.notna() & frame[label.column].notna()
    assert rule_set.prediction is not None
    spec = rule_set.prediction
    y = _binary(frame.loc[both, label.column], spec.positive_label, "labels")
    calibration = calibrate(values[both].to_numpy(dtype=np.float64), y)
    realized = {
        name: compute(name, frame.loc[both, label.column], values[both], spec)
        for name in ESTIMATED
    }
    return {"calibration": calibration, "realized": realized}


def calibrate(score: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """The isotonic calibration of ``score`` against 0/1 labels ``y``.

    Raises:
        CheckError: fewer than :data:`MIN_LABELLED` rows, or one class only.
    """
    from sklearn.isotonic import IsotonicRegression

    if len(y) < MIN_LABELLED:
        raise CheckError(
            f"the baseline has {len(y)} rows with both a score and a label; "
            f"calibrating needs at least {MIN_LABELLED}"
        )
    if len(np.unique(y)) < 2:
        raise CheckError(
            "the baseline's labels hold one class only; calibrating needs both"
        )
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(score, y)
    x = np.asarray(iso.X_thresholds_, dtype=np.float64)
    return {
        "x": [float(v) for v in x],
        "y": [float(v) for v in iso.y_thresholds_],
        "rows": len(y),
        "positive_rate": float(np.mean(y)),
        "bootstrap": _resampled(score, y, x),
    }


def _resampled(score: np.ndarray, y: np.ndarray, x: np.ndarray) -> list[list[float]]:
    """:data:`BOOTSTRAPS` isotonic fits on resamples of the rows, each read at
    ``x``: a resample is the rows weighted by how often it drew them, so the
    rows are sorted once and each fit is one weighted pass (scikit-learn's
    ``isotonic_regression``)."""
    from sklearn.isotonic import isotonic_regression

    order = np.argsort(score, kind="stable")
    xs, ys = score[order], y[order].astype(np.float64)
    rng = np.random.default_rng(0)
    n = len(ys)
    fits = []
    for _ in range(BOOTSTRAPS):
        weight = np.bincount(rng.integers(0, n, n), minlength=n).astype(np.float64)
        drawn = weight > 0
        curve = isotonic_regression(
            ys[drawn], sample_weight=weight[drawn], y_min=0.0, y_max=1.0
        )
        fits.append([round(float(v), 5) for v in np.interp(x, xs[drawn], curve)])
    return fits


def probabilities(score: np.ndarray, calibration: dict[str, Any]) -> np.ndarray:
    """Calibrated probabilities of ``score`` (clipped at the calibration's ends)."""
    out: np.ndarray = np.interp(score, calibration["x"], calibration["y"])
    return out


def _confusion(p: np.ndarray, cls: np.ndarray) -> dict[str, float]:
    return {
        "tp": float(np.sum(p * cls)),
        "fp": float(np.sum((1 - p) * cls)),
        "fn": float(np.sum(p * (1 - cls))),
        "tn": float(np.sum((1 - p) * (1 - cls))),
    }


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else float("nan")


def _from_confusion(m: dict[str, float], name: str) -> float:
    tp, fp, fn, tn = m["tp"], m["fp"], m["fn"], m["tn"]
    if name == "accuracy":
        return _ratio(tp + tn, tp + fp + fn + tn)
    if name == "precision":
        return _ratio(tp, tp + fp)
    if name == "recall":
        return _ratio(tp, tp + fn)
    return _ratio(2 * tp, 2 * tp + fp + fn)


def _auc(score: np.ndarray, p: np.ndarray) -> float:
    """Expected ROC AUC: pairs (i positive, j negative) with s_i > s_j, ties 1/2."""
    values, group = np.unique(score, return_inverse=True)
    pos = np.bincount(group, weights=p, minlength=len(values))
    neg = np.bincount(group, weights=1 - p, minlength=len(values))
    self_pairs = float(np.sum(p * (1 - p)))  # a row is never paired with itself
    below = np.cumsum(neg) - neg  # negatives with a strictly lower score
    ordered = float(np.sum(pos * below))
    tied = 0.5 * (float(np.sum(pos * neg)) - self_pairs)
    pairs = float(pos.sum() * neg.sum()) - self_pairs
    return _ratio(ordered + tied, pairs)


def _estimated(name: str, score: np.ndarray, p: np.ndarray, cls: np.ndarray) -> float:
    """One estimated metric (what :func:`estimate` gives for ``name``)."""
    if name == "roc_auc":
        return _auc(score, p)
    return _from_confusion(_confusion(p, cls), name)


def estimate(score: np.ndarray, p: np.ndarray, threshold: float) -> dict[str, Any]:
    """Every estimated metric and the expected confusion matrix of one run."""
    cls = (score >= threshold).astype(np.float64)
    confusion = _confusion(p, cls)
    values: dict[str, float] = {
        name: _from_confusion(confusion, name) for name in ESTIMATED[1:]
    }
    return {"roc_auc": _auc(score, p), **values, "confusion": confusion}


def _realized(name: str, y: np.ndarray, score: np.ndarray, cls: np.ndarray) -> float:
    """A metric on drawn labels ``y`` (one draw per row of ``y``), vectorised."""
    if name == "roc_auc":
        from scipy.stats import rankdata

        ranks = rankdata(score)
        n_pos = y.sum(axis=1)
        n_neg = y.shape[1] - n_pos
        u = y @ ranks - n_pos * (n_pos + 1) / 2
        with np.errstate(invalid="ignore", divide="ignore"):
            return float(np.nanstd(u / (n_pos * n_neg), ddof=1))
    tp, fp = y @ cls, (1 - y) @ cls
    fn, tn = y @ (1 - cls), (1 - y) @ (1 - cls)
    with np.errstate(invalid="ignore", divide="ignore"):
        table = {
            "accuracy": (tp + tn) / y.shape[1],
            "precision": tp / (tp + fp),
            "recall": tp / (tp + fn),
            "f1": 2 * tp / (2 * tp + fp + fn),
        }
    return float(np.nanstd(table[name], ddof=1))


def band(
    name: str,
    score: np.ndarray,
    p: np.ndarray,
    threshold: float,
    calibration: dict[str, Any] | None = None,
) -> float:
    """The standard deviation of the realized metric around the estimate: the
    run's sampling spread and, when ``calibration`` holds resampled fits, the
    calibration's."""
    rng = np.random.default_rng(0)
    n = len(score)
    if n > MAX_BAND_ROWS:  # draw on a sample, then scale to the run's size
        keep = rng.choice(n, MAX_BAND_ROWS, replace=False)
        score, p = score[keep], p[keep]
    y = (rng.random((DRAWS, len(score))) < p).astype(np.float64)
    cls = (score >= threshold).astype(np.float64)
    sd = _realized(name, y, score, cls) * float(np.sqrt(len(score) / n))
    refits = (calibration or {}).get("bootstrap") or []
    if len(refits) < 2:  # a baseline registered before the resampled fits
        return sd
    assert calibration is not None
    values = [
        _estimated(name, score, np.interp(score, calibration["x"], fit), cls)
        for fit in refits
    ]
    spread = float(np.nanstd(values, ddof=1))
    return float(np.hypot(sd, spread)) if np.isfinite(spread) else sd
