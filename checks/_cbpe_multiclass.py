"""Confidence-based performance estimation of a multiclass classifier.

The binary model (:mod:`modelhealth.checks._cbpe`), one class at a time:

1. **Calibration** (at baseline time): each class's probability column (the
   prediction spec's ``scores: {class: column}``) is calibrated one-vs-rest against
   the baseline's labels by an isotonic regression; each run's calibrated
   probabilities are then scaled to sum to one per row.
2. **Expected confusion** (each run): a row predicted ``c`` (the prediction
   column's class, or the class with the highest score when that column is not
   there) with calibrated probabilities ``p`` adds ``p[c]`` to ``c``'s expected
   true positives, ``1 - p[c]`` to its false positives and ``p[k]`` to every other
   class ``k``'s false negatives. Accuracy is the mean of ``p[c]``; precision,
   recall and F1 are macro averages over the classes (a class never predicted
   counts 0, as scikit-learn's ``zero_division=0``); ROC AUC is the macro average
   of each class's one-vs-rest expected AUC on its own score.
3. **Sampling band**: labels drawn from the calibrated probabilities, as for
   binary models.

The same limits hold: the estimate follows covariate shift and cannot see concept
shift.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from modelhealth.checks import _cbpe
from modelhealth.checks.base import CheckError

if TYPE_CHECKING:
    import pandas as pd

    from modelhealth.rules.models import RuleSet

__all__ = ["fit", "predicted", "probabilities", "run_estimate", "score_matrix"]

Matrix = npt.NDArray[np.float64]


def score_matrix(
    frame: pd.DataFrame, rule_set: RuleSet, where: str
) -> tuple[list[str], Matrix, npt.NDArray[np.bool_]]:
    """The classes, their score columns as a matrix, and the rows scored in all.

    Raises:
        CheckError: no ``scores`` in the rules, a column missing or not numeric.
    """
    from pandas.api import types as ptypes

    spec = rule_set.prediction
    assert spec is not None
    if not spec.scores:
        raise CheckError(
            "estimated_metric on a multiclass model needs each class's probability "
            "column: 'prediction: {column: ..., task: multiclass_classification, "
            "scores: {class_a: p_a, class_b: p_b, ...}}'"
        )
    missing = [c for c in spec.scores.values() if c not in frame.columns]
    if missing:
        raise CheckError(f"score columns {missing} are not in {where}")
    for cls, column in spec.scores.items():
        if not ptypes.is_numeric_dtype(frame[column]):
            raise CheckError(
                f"the score column {column!r} of class {cls!r} is not numeric"
            )
    classes = list(spec.scores)
    values = frame[[spec.scores[c] for c in classes]].to_numpy(dtype=np.float64)
    scored = np.isfinite(values).all(axis=1)
    return classes, values, scored


def _labels(frame: pd.DataFrame, rule_set: RuleSet) -> pd.Series:
    from modelhealth.checks._text import as_text

    label = rule_set.label
    if label is None:
        raise CheckError("estimated_metric needs 'label: {column: ...}' in the rules")
    if label.column not in frame.columns:
        raise CheckError(
            f"the baseline data has no label column {label.column!r}; "
            "estimated_metric calibrates the scores against the baseline's labels"
        )
    return as_text(frame[label.column])


def fit(frame: pd.DataFrame, rule_set: RuleSet) -> dict[str, Any]:
    """Each class's calibration and the metrics realized on the baseline.

    Raises:
        CheckError: what the baseline lacks (score columns, labels, a class).
    """
    if len(frame) > _cbpe.MAX_FIT_ROWS:
        frame = frame.sample(_cbpe.MAX_FIT_ROWS, random_state=0)
    classes, values, scored = score_matrix(frame, rule_set, "the baseline data")
    labels = _labels(frame, rule_set)
    keep = scored & labels.notna().to_numpy()
    y = labels[keep].to_numpy()
    unknown = sorted(set(y) - set(classes))
    if unknown:
        raise CheckError(
            f"the baseline's labels hold classes without a score column: "
            f"{unknown[:5]}; scores names {classes}"
        )
    calibrations = {
        cls: _calibrated(cls, values[keep, i], y) for i, cls in enumerate(classes)
    }
    raw = _normalised(values[keep])
    pred = predicted(frame.loc[keep], rule_set, raw, classes)
    truth = np.array([classes.index(v) for v in y])
    realized = {
        name: realized_metric(name, truth, raw, pred, len(classes))
        for name in _cbpe.ESTIMATED
    }
    return {"calibrations": calibrations, "classes": classes, "realized": realized}


def _calibrated(cls: str, score: Matrix, y: npt.NDArray[Any]) -> dict[str, Any]:
    try:
        return _cbpe.calibrate(score, (y == cls).astype(np.float64))
    except CheckError as exc:
        raise CheckError(f"class {cls!r}: {exc}") from exc


def _normalised(p: Matrix) -> Matrix:
    total = p.sum(axis=1, keepdims=True)
    uniform = np.full_like(p, 1.0 / p.shape[1])
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, p / total, uniform)


def probabilities(values: Matrix, state: dict[str, Any]) -> Matrix:
    """Calibrated class probabilities of each row, summing to one."""
    columns = [
        _cbpe.probabilities(values[:, i], state["calibrations"][cls])
        for i, cls in enumerate(state["classes"])
    ]
    return _normalised(np.column_stack(columns))


def predicted(
    frame: pd.DataFrame, rule_set: RuleSet, values: Matrix, classes: list[str]
) -> npt.NDArray[np.int64]:
    """Each row's predicted class index: the prediction column's class where it
    names one of ``classes``, else the highest score."""
    from modelhealth.checks._text import as_text

    best: npt.NDArray[np.int64] = np.argmax(values, axis=1).astype(np.int64)
    spec = rule_set.prediction
    assert spec is not None
    if spec.column not in frame.columns:
        return best
    index = {c: i for i, c in enumerate(classes)}
    named = as_text(frame[spec.column]).map(index)
    known = named.notna().to_numpy()
    out = best.copy()
    out[known] = named[known].to_numpy(dtype=np.int64)
    return out


def _macro(tp: Matrix, fp: Matrix, fn: Matrix, name: str) -> Matrix:
    """Macro precision, recall or F1 from per-class sums (last axis: classes)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        if name == "precision":
            per = tp / (tp + fp)
        elif name == "recall":
            per = tp / (tp + fn)
        else:
            per = 2 * tp / (2 * tp + fp + fn)
    return np.asarray(np.nan_to_num(per, nan=0.0).mean(axis=-1), np.float64)


def estimate(values: Matrix, p: Matrix, pred: npt.NDArray[np.int64]) -> dict[str, Any]:
    """Every estimated metric and the expected per-class sums of one run."""
    k = p.shape[1]
    onehot = np.eye(k)[pred]
    tp = (p * onehot).sum(axis=0)
    fp = ((1 - p) * onehot).sum(axis=0)
    fn = (p * (1 - onehot)).sum(axis=0)
    out: dict[str, Any] = {
        "accuracy": float(tp.sum() / len(p)),
        **{name: float(_macro(tp, fp, fn, name)) for name in ("precision", "recall")},
        "f1": float(_macro(tp, fp, fn, "f1")),
    }
    aucs = [_cbpe._auc(values[:, i], p[:, i]) for i in range(k)]
    out["roc_auc"] = float(np.nanmean(aucs))
    out["confusion"] = {"tp": tp.tolist(), "fp": fp.tolist(), "fn": fn.tolist()}
    return out


def realized_metric(
    name: str,
    truth: npt.NDArray[np.int64],
    values: Matrix,
    pred: npt.NDArray[np.int64],
    k: int,
) -> float:
    """A metric realized on labels ``truth`` (class indices)."""
    return float(_draws(name, truth[None, :], values, pred, k)[0])


def _draws(
    name: str,
    y: npt.NDArray[np.int64],
    values: Matrix,
    pred: npt.NDArray[np.int64],
    k: int,
) -> Matrix:
    """The metric on each row of drawn labels ``y`` (draws x rows), vectorised."""
    if name == "accuracy":
        return np.asarray((y == pred).mean(axis=1), np.float64)
    if name == "roc_auc":
        from scipy.stats import rankdata

        aucs = []
        for i in range(k):
            ranks = rankdata(values[:, i])
            pos = (y == i).astype(np.float64)
            n_pos = pos.sum(axis=1)
            n_neg = y.shape[1] - n_pos
            u = pos @ ranks - n_pos * (n_pos + 1) / 2
            with np.errstate(invalid="ignore", divide="ignore"):
                aucs.append(u / (n_pos * n_neg))
        return np.asarray(np.nanmean(np.vstack(aucs), axis=0), np.float64)
    onehot = np.eye(k)[pred]  # rows x classes
    tp = np.stack([(y == i).astype(np.float64) @ onehot[:, i] for i in range(k)], -1)
    predicted_n = onehot.sum(axis=0)
    actual_n = np.stack([(y == i).sum(axis=1) for i in range(k)], -1)
    return _macro(tp, predicted_n - tp, actual_n - tp, name)


def band(name: str, values: Matrix, p: Matrix, pred: npt.NDArray[np.int64]) -> float:
    """The standard deviation of the realized metric around the estimate."""
    rng = np.random.default_rng(0)
    n = len(p)
    if n > _cbpe.MAX_BAND_ROWS:
        keep = rng.choice(n, _cbpe.MAX_BAND_ROWS, replace=False)
        values, p, pred = values[keep], p[keep], pred[keep]
    cum = np.cumsum(p, axis=1)
    u = rng.random((_cbpe.DRAWS, len(p), 1))
    y = np.minimum((u > cum[None, :, :]).sum(axis=2), p.shape[1] - 1)
    sd = float(np.nanstd(_draws(name, y, values, pred, p.shape[1]), ddof=1))
    return sd * float(np.sqrt(len(p) / n))


def run_estimate(
    frame: pd.DataFrame, rule_set: RuleSet, state: dict[str, Any], metric: str
) -> tuple[dict[str, Any], float, int, float | None]:
    """``(estimates, band sd, rows, realized)`` of ``metric`` on one run."""
    classes, values, scored = score_matrix(frame, rule_set, "the run data")
    if classes != state["classes"]:
        raise CheckError(
            f"the rules' classes {classes} differ from the baseline's "
            f"{state['classes']}; register the baseline again"
        )
    rows = frame.loc[scored]
    values = values[scored]
    p = probabilities(values, state)
    pred = predicted(rows, rule_set, values, classes)
    found = estimate(values, p, pred)
    sd = band(metric, values, p, pred) if len(p) > 1 else float("nan")
    return found, sd, len(p), _realized(rows, rule_set, values, pred, classes, metric)


def _realized(
    rows: pd.DataFrame,
    rule_set: RuleSet,
    values: Matrix,
    pred: npt.NDArray[np.int64],
    classes: list[str],
    metric: str,
) -> float | None:
    from modelhealth.checks._text import as_text

    label = rule_set.label
    if label is None or label.column not in rows.columns:
        return None
    index = {c: i for i, c in enumerate(classes)}
    truth = as_text(rows[label.column]).map(index)
    known = truth.notna().to_numpy()
    if known.sum() < 2:
        return None
    y = np.asarray(truth[known].to_numpy(dtype=np.int64), dtype=np.int64)
    raw = _normalised(values[known])
    value = realized_metric(metric, y, raw, pred[known], len(classes))
    return value if np.isfinite(value) else None
