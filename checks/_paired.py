"""Two models on the same rows: each one's metric, their difference and its interval.

:func:`compare` is what the deployment gate asks when a champion's predictions sit
beside the candidate's: how much better or worse is the candidate, and how sure can
we be on these rows? The difference is ``candidate - champion`` in the metric's
units, with a two-sided interval at ``confidence``:

- **ROC AUC**: DeLong's method for two correlated AUCs (DeLong, DeLong and
  Clarke-Pearson 1988), in Sun and Xu's fast form (midranks, 2014): the variance of
  the difference from the structural components of both scores on the same
  positives and negatives, and a normal interval. No resampling.
- **every other metric**: a paired bootstrap. Each resample draws the rows with
  replacement (the same rows for both models, which is what "paired" means: the
  rows' shared difficulty cancels out), and the interval is the percentiles of the
  resampled differences. It is vectorised: each metric is a function of a few
  weighted sums over rows (:func:`_terms`), so a batch of resamples is one matrix of
  row counts times one matrix of per-row terms. PR AUC, a ranking metric, sorts the
  rows once and takes weighted cumulative sums. The generator is seeded
  (:data:`SEED`), so the same data gives the same interval.

Too few rows for an interval (:data:`MIN_ROWS`, or fewer than two of a class for
DeLong) raise :class:`~modelhealth.checks.base.CheckError` with the count.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from modelhealth.checks._metric_names import SCORE_METRICS, MetricName
from modelhealth.checks._metrics import _binary, is_score
from modelhealth.checks._text import as_text
from modelhealth.checks.base import CheckError
from modelhealth.rules.models import PredictionSpec

__all__ = ["MIN_ROWS", "SEED", "Comparison", "compare", "delong"]

MIN_ROWS = 30
"""Fewer rows than this give no interval worth deciding on."""
SEED = 20261201
"""The bootstrap's seed: the same holdout gives the same interval."""
_NEEDS_SCORES = "{metric} needs scores, but a prediction column holds classes"
_CELLS = 4_000_000  # resample weights held at once (rows x resamples), ~32 MB

Floats = npt.NDArray[np.float64]
Finish = Callable[[Floats], Floats]  # weighted sums (B, k) -> metric (B,)


@dataclass(frozen=True)
class Comparison:
    """The candidate against the champion on the same rows.

    Attributes:
        candidate: the candidate's metric.
        champion: the champion's metric.
        difference: ``candidate - champion``.
        low: the interval's lower end, for the difference.
        high: its upper end.
        method: ``delong`` or ``paired_bootstrap``.
        rows: rows both were computed on.
        resamples: bootstrap resamples (0 for DeLong).
    """

    candidate: float
    champion: float
    difference: float
    low: float
    high: float
    method: str
    rows: int
    resamples: int = 0


def compare(
    metric: MetricName,
    labels: pd.Series,
    candidate: pd.Series,
    champion: pd.Series,
    spec: PredictionSpec,
    *,
    confidence: float = 0.95,
    resamples: int = 1000,
    seed: int = SEED,
) -> Comparison:
    """Both models' ``metric`` on aligned, non-null rows, and the difference.

    Raises:
        CheckError: too few rows, one class only, or a metric that does not apply
            to the columns.
    """
    rows = len(labels)
    if rows < MIN_ROWS:
        raise CheckError(
            f"{rows} rows with a label and both models' predictions; an interval "
            f"for {metric} needs at least {MIN_ROWS}"
        )
    if metric == "roc_auc":
        yb, (cand, champ) = _binary_scores(labels, (candidate, champion), spec, metric)
        return delong(yb, cand, champ, confidence=confidence)
    y, (vc, fc), (vh, fh) = _prepare(metric, labels, candidate, champion, spec)
    if metric == "pr_auc":
        return _bootstrap_ap(y, vc, vh, confidence, resamples, seed)
    ones = np.ones((1, rows))
    value_c = float(fc(ones @ vc)[0])
    value_h = float(fh(ones @ vh)[0])
    both = np.hstack([vc, vh])
    k = vc.shape[1]

    def paired(weights: Floats) -> Floats:
        sums = weights @ both
        return fc(sums[:, :k]) - fh(sums[:, k:])

    diffs = _resample(rows, resamples, seed, paired)
    low, high = _interval(diffs, confidence, metric)
    return Comparison(
        value_c, value_h, value_c - value_h, low, high, "paired_bootstrap", rows,
        resamples,
    )  # fmt: skip


def delong(
    y: npt.NDArray[np.int64],
    candidate: Floats,
    champion: Floats,
    *,
    confidence: float = 0.95,
) -> Comparison:
    """Two correlated ROC AUCs on the same rows, by DeLong's method.

    Raises:
        CheckError: fewer than two positives or two negatives.
    """
    from scipy.stats import norm, rankdata

    pos = y == 1
    m, n = int(pos.sum()), int((~pos).sum())
    if m < 2 or n < 2:
        raise CheckError(
            f"roc_auc's interval needs at least two rows of each class; "
            f"found {m} positive and {n} negative"
        )
    scores = np.vstack([candidate, champion])
    x, z = scores[:, pos], scores[:, ~pos]
    tx, tz = rankdata(x, axis=1), rankdata(z, axis=1)
    tall = rankdata(np.hstack([x, z]), axis=1)
    aucs = (tall[:, :m].sum(axis=1) - m * (m + 1) / 2) / (m * n)
    v10 = (tall[:, :m] - tx) / n  # per positive: share of negatives ranked below
    v01 = 1.0 - (tall[:, m:] - tz) / m  # per negative: share of positives above
    sx, sz = np.cov(v10), np.cov(v01)
    var = (sx[0, 0] + sx[1, 1] - 2 * sx[0, 1]) / m + (
        sz[0, 0] + sz[1, 1] - 2 * sz[0, 1]
    ) / n
    diff = float(aucs[0] - aucs[1])
    half = float(norm.ppf(0.5 + confidence / 2) * np.sqrt(max(var, 0.0)))
    return Comparison(
        float(aucs[0]), float(aucs[1]), diff, diff - half, diff + half, "delong",
        m + n,
    )  # fmt: skip


def _resample(
    rows: int, resamples: int, seed: int, stat: Callable[[Floats], Floats]
) -> Floats:
    """``stat`` of ``resamples`` bootstrap row-count matrices, in batches."""
    rng = np.random.default_rng(seed)
    batch = max(1, min(resamples, _CELLS // rows))
    out: list[Floats] = []
    done = 0
    while done < resamples:
        b = min(batch, resamples - done)
        picks = rng.integers(0, rows, size=(b, rows)) + rows * np.arange(b)[:, None]
        counts = np.bincount(picks.ravel(), minlength=b * rows).reshape(b, rows)
        out.append(stat(counts.astype(np.float64)))
        done += b
    return np.concatenate(out)


def _interval(diffs: Floats, confidence: float, metric: str) -> tuple[float, float]:
    finite = diffs[np.isfinite(diffs)]
    if len(finite) < 0.99 * len(diffs):
        raise CheckError(
            f"{metric} is undefined on {len(diffs) - len(finite)} of {len(diffs)} "
            "resamples of these rows (too few rows of a class?); no interval"
        )
    tail = (1 - confidence) / 2
    low, high = np.quantile(finite, [tail, 1 - tail])
    return float(low), float(high)


def _binary_scores(
    labels: pd.Series,
    preds: tuple[pd.Series, pd.Series],
    spec: PredictionSpec,
    metric: str,
) -> tuple[npt.NDArray[np.int64], list[Floats]]:
    y = _binary(labels, spec.positive_label, "labels")
    if len(np.unique(y)) < 2:
        raise CheckError(f"{metric} needs both classes among the labels")
    out = []
    for p in preds:
        if not is_score(p):
            raise CheckError(_NEEDS_SCORES.format(metric=metric))
        out.append(p.to_numpy(dtype=np.float64))
    return y, out


def _prepare(
    metric: MetricName,
    labels: pd.Series,
    candidate: pd.Series,
    champion: pd.Series,
    spec: PredictionSpec,
) -> tuple[Floats, tuple[Floats, Finish], tuple[Floats, Finish]]:
    """The labels as numbers and each model's per-row terms."""
    if spec.task == "regression":
        y = pd.to_numeric(labels, errors="coerce").to_numpy(dtype=np.float64)
        preds = [
            pd.to_numeric(p, errors="coerce").to_numpy(dtype=np.float64)
            for p in (candidate, champion)
        ]
        if np.isnan(y).any() or any(np.isnan(p).any() for p in preds):
            raise CheckError("regression labels and predictions must be numbers")
        return y, _terms(metric, y, preds[0]), _terms(metric, y, preds[1])
    if spec.task == "multiclass_classification":
        codes, _ = pd.factorize(
            pd.concat([as_text(labels), as_text(candidate), as_text(champion)])
        )
        yc, cc, hc = np.split(codes.astype(np.float64), 3)
        k = int(codes.max()) + 1
        return yc, _class_terms(metric, yc, cc, k), _class_terms(metric, yc, hc, k)
    yb = _binary(labels, spec.positive_label, "labels").astype(np.float64)
    terms = []
    for p in (candidate, champion):
        if is_score(p):
            score = p.to_numpy(dtype=np.float64)
            cls = (score >= spec.decision_threshold).astype(np.float64)
        elif metric in SCORE_METRICS:
            raise CheckError(_NEEDS_SCORES.format(metric=metric))
        else:
            cls = _binary(p, spec.positive_label, "predictions").astype(np.float64)
            score = cls
        terms.append(_binary_terms(metric, yb, score, cls))
    if metric == "pr_auc" and len(np.unique(yb)) < 2:
        raise CheckError("pr_auc needs both classes among the labels")
    return yb, terms[0], terms[1]


def _safe(num: Floats, den: Floats) -> Floats:
    """``num / den``, 0 where ``den`` is 0 (scikit-learn's ``zero_division=0``)."""
    return np.divide(num, den, out=np.zeros_like(num), where=den != 0)


def _mean(sums: Floats) -> Floats:
    return sums[:, 0] / sums[:, 1]


def _col(*columns: Floats) -> Floats:
    return np.column_stack(columns)


def _terms(metric: str, y: Floats, p: Floats) -> tuple[Floats, Finish]:
    one = np.ones_like(y)
    err = y - p
    if metric == "mae":
        return _col(np.abs(err), one), _mean
    if metric == "rmse":
        return _col(err**2, one), lambda s: np.sqrt(_mean(s))
    if metric == "mape":
        nz = (y != 0).astype(np.float64)
        if not nz.any():
            raise CheckError("mape is undefined: every label is 0; use mae or rmse")
        ape = np.abs(err) / np.where(y != 0, np.abs(y), 1.0) * nz
        return _col(ape, nz), lambda s: s[:, 0] / s[:, 1]
    # r2 = 1 - SSres / SStot, with SStot = sum(y^2) - sum(y)^2 / n
    return _col(
        err**2, y, y**2, one
    ), lambda s: 1 - s[:, 0] / (s[:, 2] - s[:, 1] ** 2 / s[:, 3])


def _binary_terms(
    metric: str, y: Floats, score: Floats, cls: Floats
) -> tuple[Floats, Finish]:
    one = np.ones_like(y)
    if metric == "pr_auc":
        return _col(score), _mean  # sorted apart, in _bootstrap_ap
    if metric == "brier":
        return _col((score - y) ** 2, one), _mean
    if metric == "log_loss":
        s = np.clip(score, 1e-15, 1 - 1e-15)
        return _col(-(y * np.log(s) + (1 - y) * np.log(1 - s)), one), _mean
    if metric == "accuracy":
        return _col((cls == y).astype(np.float64), one), _mean
    tp = cls * y
    if metric == "precision":
        return _col(tp, cls), lambda s: _safe(s[:, 0], s[:, 1])
    if metric == "recall":
        return _col(tp, y), lambda s: _safe(s[:, 0], s[:, 1])
    return _col(tp, cls, y), lambda s: _safe(2 * s[:, 0], s[:, 1] + s[:, 2])


def _class_terms(metric: str, y: Floats, p: Floats, k: int) -> tuple[Floats, Finish]:
    if metric == "accuracy":
        return _col((p == y).astype(np.float64), np.ones_like(y)), _mean
    if metric in SCORE_METRICS:
        raise CheckError(
            f"{metric} needs class probabilities; a multiclass model's single "
            "prediction column holds classes: use accuracy, precision, recall, f1"
        )
    classes = np.arange(k)
    yy = (y[:, None] == classes).astype(np.float64)
    pp = (p[:, None] == classes).astype(np.float64)
    terms = np.hstack([yy * pp, pp, yy])  # per class: tp, predicted, actual

    def macro(s: Floats) -> Floats:
        tp, pred, true = s[:, :k], s[:, k : 2 * k], s[:, 2 * k :]
        if metric == "precision":
            per = _safe(tp, pred)
        elif metric == "recall":
            per = _safe(tp, true)
        else:
            per = _safe(2 * tp, pred + true)
        present = (pred + true) > 0  # scikit-learn averages the classes seen
        out: Floats = (per * present).sum(axis=1) / present.sum(axis=1)
        return out

    return terms, macro


def _ap(weights: Floats, y: Floats, score: Floats) -> Floats:
    """Weighted average precision (scikit-learn's definition) per weight row."""
    order = np.argsort(-score, kind="mergesort")
    s, yy = score[order], y[order]
    w = weights[:, order]
    tp = np.cumsum(w * yy, axis=1)
    seen = np.cumsum(w, axis=1)
    last = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]  # one point per threshold
    tp, seen = tp[:, last], seen[:, last]
    total = tp[:, -1:]
    recall = _safe(tp, np.broadcast_to(total, tp.shape).copy())
    precision = _safe(tp, seen)
    steps = np.diff(recall, axis=1, prepend=0.0)
    ap = (steps * precision).sum(axis=1)
    return np.asarray(np.where(total[:, 0] > 0, ap, np.nan), dtype=np.float64)


def _bootstrap_ap(
    y: Floats,
    vc: Floats,
    vh: Floats,
    confidence: float,
    resamples: int,
    seed: int,
) -> Comparison:
    sc, sh = vc[:, 0], vh[:, 0]
    ones = np.ones((1, len(y)))
    value_c, value_h = float(_ap(ones, y, sc)[0]), float(_ap(ones, y, sh)[0])
    diffs = _resample(len(y), resamples, seed, lambda w: _ap(w, y, sc) - _ap(w, y, sh))
    low, high = _interval(diffs, confidence, "pr_auc")
    return Comparison(
        value_c, value_h, value_c - value_h, low, high, "paired_bootstrap", len(y),
        resamples,
    )  # fmt: skip
