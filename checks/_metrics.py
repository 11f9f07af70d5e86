"""The scikit-learn side of the ``metric`` check: labels and predictions to one number.

:func:`compute` takes the run's label and prediction columns (rows where either is
null already dropped), the task and the metric's name, and returns the metric's
value. How the columns are read:

- **binary classification**: the label is 1 when it equals ``positive_label`` (or,
  without one, when it is ``1``/``True``); a label column of other values without a
  ``positive_label`` is an error. The prediction is a *score* when it is a float
  column with values other than 0 and 1 (the class is then ``score >=
  decision_threshold``), else a predicted class read like the label. Threshold-free
  metrics (``roc_auc``, ``pr_auc``, ``log_loss``, ``brier``) need scores.
- **multiclass classification**: label and prediction are classes, compared as text;
  ``precision``, ``recall`` and ``f1`` are macro averages. Probability metrics need one
  column per class and are not available.
- **regression**: both are numbers.

scikit-learn is imported here only, when the first metric is computed.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas.api import types as ptypes

from modelhealth.checks._metric_names import (
    CLASSIFICATION,
    HIGHER_IS_BETTER,
    REGRESSION,
    SCORE_METRICS,
    MetricName,
)
from modelhealth.checks._text import as_text, scalar_text
from modelhealth.checks.base import CheckError
from modelhealth.rules.models import PredictionSpec

__all__ = [
    "CLASSIFICATION",
    "HIGHER_IS_BETTER",
    "REGRESSION",
    "SCORE_METRICS",
    "MetricName",
    "applies",
    "compute",
    "infinite_message",
    "infinite_values",
    "is_score",
]

_TRUE = {"1", "1.0", "true"}


def _binary(values: pd.Series, positive: object, what: str) -> npt.NDArray[np.int64]:
    if positive is not None:
        hit = as_text(values) == scalar_text(positive)
        out: npt.NDArray[np.int64] = np.asarray(hit, dtype=np.int64)
        return out
    text = as_text(values).str.lower()
    unknown = sorted(set(text.unique()) - _TRUE - {"0", "0.0", "false"})
    if unknown:
        raise CheckError(
            f"the {what} of a binary classifier must be 0/1 or true/false, or the "
            f"rules must name prediction.positive_label; found {unknown[:5]}"
        )
    ones: npt.NDArray[np.int64] = np.asarray(text.isin(_TRUE), dtype=np.int64)
    return ones


def is_score(values: pd.Series) -> bool:
    """Whether a binary classifier's prediction column holds scores, not classes."""
    if not ptypes.is_float_dtype(values.dtype):
        return False
    x = values.to_numpy(dtype=np.float64, na_value=np.nan)
    return not bool(np.all((x == 0.0) | (x == 1.0)))  # NaN is neither: a score


def infinite_values(values: pd.Series) -> int:
    """How many of ``values`` are ±inf (0 for non-numeric columns)."""
    if not ptypes.is_numeric_dtype(values.dtype) or ptypes.is_bool_dtype(values.dtype):
        return 0
    return int(np.isinf(values.to_numpy(dtype=np.float64, na_value=np.nan)).sum())


def infinite_message(count: int, what: str, metric: str) -> str:
    """The error for ``count`` infinite values among the ``what`` column's."""
    return (
        f"{count} {what} value(s) are infinite (inf or -inf); "
        f"{metric} needs finite numbers: fix the model's output or drop those rows"
    )


def applies(metric: str, task: str) -> None:
    """Raise when ``metric`` cannot be computed for ``task`` from one column.

    Raises:
        CheckError: a classification metric for a regression, or the reverse, or
            a probability metric for a multiclass model's class column.
    """
    if task == "regression":
        if metric not in REGRESSION:
            raise CheckError(
                f"{metric} is not a regression metric; use one of "
                f"{', '.join(sorted(REGRESSION))}"
            )
        return
    if metric not in CLASSIFICATION:
        raise CheckError(f"{metric} is a regression metric; the task is {task}")
    if task == "multiclass_classification" and metric in SCORE_METRICS:
        raise CheckError(
            f"{metric} needs class probabilities; a multiclass model's single "
            "prediction column holds classes: use accuracy, precision, recall, f1"
        )


def compute(
    metric: MetricName,
    labels: pd.Series,
    predictions: pd.Series,
    spec: PredictionSpec,
) -> float:
    """One metric of aligned, non-null labels and predictions.

    An undefined metric (``r2`` of one row) is NaN, which the check reports as
    ``errored``; scikit-learn's warning about it is not repeated on stderr.

    Raises:
        CheckError: the metric does not apply to the task or to the columns.
    """
    import warnings

    from sklearn.exceptions import UndefinedMetricWarning

    for what, values in (("prediction", predictions), ("label", labels)):
        infinite = infinite_values(values)
        if infinite:
            raise CheckError(infinite_message(infinite, what, metric))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        return _compute(metric, labels, predictions, spec)


def _compute(
    metric: MetricName,
    labels: pd.Series,
    predictions: pd.Series,
    spec: PredictionSpec,
) -> float:
    from sklearn import metrics as skm

    task = spec.task
    applies(metric, task)
    if task == "regression":
        y = pd.to_numeric(labels, errors="coerce").to_numpy(dtype=np.float64)
        p = pd.to_numeric(predictions, errors="coerce").to_numpy(dtype=np.float64)
        if np.isnan(y).any() or np.isnan(p).any():
            raise CheckError("regression labels and predictions must be numbers")
        if metric == "mae":
            return float(skm.mean_absolute_error(y, p))
        if metric == "rmse":
            return float(np.sqrt(skm.mean_squared_error(y, p)))
        if metric == "mape":
            # MAPE divides by the label: rows labelled 0 would dominate it (sklearn
            # divides by machine epsilon), so they are left out
            nonzero = y != 0
            if not nonzero.any():
                raise CheckError("mape is undefined: every label is 0; use mae or rmse")
            return float(skm.mean_absolute_percentage_error(y[nonzero], p[nonzero]))
        return float(skm.r2_score(y, p))
    if task == "multiclass_classification":
        yt, yp = as_text(labels).to_numpy(), as_text(predictions).to_numpy()
        if metric == "accuracy":
            return float(skm.accuracy_score(yt, yp))
        fn = {"precision": skm.precision_score, "recall": skm.recall_score}.get(
            metric, skm.f1_score
        )
        return float(fn(yt, yp, average="macro", zero_division=0))
    y = _binary(labels, spec.positive_label, "labels")
    if is_score(predictions):
        score = predictions.to_numpy(dtype=np.float64)
        cls = (score >= spec.decision_threshold).astype(np.int64)
    else:
        if metric in SCORE_METRICS:
            raise CheckError(
                f"{metric} needs scores, but the prediction column holds classes"
            )
        cls = _binary(predictions, spec.positive_label, "predictions")
        score = cls.astype(np.float64)
    if metric in ("roc_auc", "pr_auc") and len(np.unique(y)) < 2:
        raise CheckError(f"{metric} needs both classes among the labels")
    if metric == "roc_auc":
        return float(skm.roc_auc_score(y, score))
    if metric == "pr_auc":
        return float(skm.average_precision_score(y, score))
    if metric == "log_loss":
        return float(skm.log_loss(y, np.clip(score, 1e-15, 1 - 1e-15), labels=[0, 1]))
    if metric == "brier":
        return float(skm.brier_score_loss(y, score))
    if metric == "accuracy":
        return float(skm.accuracy_score(y, cls))
    fn = {"precision": skm.precision_score, "recall": skm.recall_score}.get(
        metric, skm.f1_score
    )
    return float(fn(y, cls, zero_division=0))
