"""The ``metric`` check's row pass: sufficient statistics of every labelled row.

A run too large for one frame still gets its metric from all of its rows: each
batch adds what the metrics need, and passes of other rows merge by adding up:

- **binary classification**: the confusion counts at ``decision_threshold`` (accuracy,
  precision, recall, F1: exact), class counts per score
  (:class:`~modelhealth.checks._score_counts.ScoreCounts`: ROC AUC and average
  precision, exact while the scores are few, else within the bins' bound), and the
  sums of log loss and squared error (``log_loss``, ``brier``);
- **multiclass classification**: the confusion matrix of label and prediction, as
  text (accuracy and macro precision, recall, F1: exact);
- **regression**: the sums of absolute, squared and relative errors and the labels'
  mean and sum of squared deviations (MAE, RMSE, MAPE, R2: exact up to rounding).

Columns are read as :mod:`modelhealth.checks._metrics` reads them, batch by batch,
and the same mistakes give the same messages (:meth:`MetricPass.value` raises them):
infinite values, labels that are not 0/1, a metric that does not fit the task.
Whether a binary classifier's column holds scores is decided on the whole run: a
float column with any value other than 0 and 1.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from modelhealth.checks._confusion import multiclass, prf
from modelhealth.checks._metric_names import SCORE_METRICS
from modelhealth.checks._metrics import applies, infinite_message, infinite_values
from modelhealth.checks._score_counts import (
    ScoreCounts,
    average_precision,
    roc_auc,
)
from modelhealth.checks._text import as_text, scalar_text
from modelhealth.checks.base import CheckError
from modelhealth.checks.passes import Batch, RowPass

if TYPE_CHECKING:
    from modelhealth.rules.models import PredictionSpec

__all__ = ["MetricPass"]

_TRUE = frozenset({"1", "1.0", "true"})
_FALSE = frozenset({"0", "0.0", "false"})
_EPS = float(np.finfo(np.float64).eps)
_CLIP = 1e-15
_SHOWN = 5


class MetricPass(RowPass):
    """What every metric of one task needs, from every row with a label."""

    def __init__(self, spec: PredictionSpec, label: str) -> None:
        self.spec = spec
        self.label = label
        self.rows = 0
        self.labelled = 0
        self.seen_prediction = False
        self.labels_present = 0
        self.infinite = {"prediction": 0, "label": 0}
        self.unknown: dict[str, list[str]] = {"labels": [], "predictions": []}
        self.not_numeric = False
        self.sums: defaultdict[str, float] = defaultdict(float)
        self.all_float = True
        self.scores_seen = False  # a float value other than 0 and 1
        self.classes_missing = False  # a batch of scores, not read as classes
        self.score_range: list[float] = []
        self.counts = ScoreCounts()
        self.pairs: Counter[tuple[str, str]] = Counter()
        self.moments = (0, 0.0, 0.0)  # labels' count, mean, sum of squared deviations

    # -- taking in rows -------------------------------------------------------

    def update(self, batch: Batch) -> None:
        frame = batch.frame
        self.rows += len(frame)
        column = self.spec.column
        if column in frame.columns:
            self.seen_prediction = True
        if self.label not in frame.columns:
            return
        labels = frame[self.label]
        self.labels_present += int(labels.notna().sum())
        if column not in frame.columns:
            return
        both = frame[column].notna() & labels.notna()
        rows = int(both.sum())
        if rows == 0:
            return
        self.labelled += rows
        y, p = labels[both], frame.loc[both, column]
        self.infinite["prediction"] += infinite_values(p)
        self.infinite["label"] += infinite_values(y)
        if self.infinite["prediction"] or self.infinite["label"]:
            return  # the metric errors; nothing more to count
        task = self.spec.task
        if task == "regression":
            self._regression(y, p)
        elif task == "multiclass_classification":
            self.pairs.update(zip(as_text(y), as_text(p), strict=True))
        else:
            self._binary_rows(y, p)

    def _regression(self, labels: pd.Series, predictions: pd.Series) -> None:
        y = pd.to_numeric(labels, errors="coerce").to_numpy(dtype=np.float64)
        p = pd.to_numeric(predictions, errors="coerce").to_numpy(dtype=np.float64)
        if np.isnan(y).any() or np.isnan(p).any():
            self.not_numeric = True
            return
        error = y - p
        nonzero = y != 0
        self._add(
            abs=float(np.abs(error).sum()),
            squared=float((error * error).sum()),
            relative=float(
                (np.abs(error[nonzero]) / np.maximum(np.abs(y[nonzero]), _EPS)).sum()
            ),
            nonzero=int(nonzero.sum()),
        )
        self._add_moments(len(y), float(y.mean()), float(((y - y.mean()) ** 2).sum()))

    def _add_moments(self, n: int, mean: float, m2: float) -> None:
        """Chan et al.'s parallel update of the labels' mean and M2."""
        na, ma, m2a = self.moments
        total = na + n
        if total == 0:
            return
        delta = mean - ma
        self.moments = (
            total,
            ma + delta * n / total,
            m2a + m2 + delta * delta * na * n / total,
        )

    def _binary_rows(self, labels: pd.Series, predictions: pd.Series) -> None:
        y = self._classes(labels, "labels")
        is_float = ptypes.is_float_dtype(predictions.dtype)
        self.all_float &= is_float
        scores_here = is_float and not bool(predictions.isin([0.0, 1.0]).all())
        self.scores_seen |= scores_here
        if scores_here:
            self.classes_missing = True
        else:
            cls = self._classes(predictions, "predictions")
            self._confusion("class", y, cls)
        if not is_float or y is None:
            return
        score = predictions.to_numpy(dtype=np.float64)
        self._confusion(
            "score", y, (score >= self.spec.decision_threshold).astype(np.int64)
        )
        self.counts.update(score, y)
        clipped = np.clip(score, _CLIP, 1 - _CLIP)
        self._add(
            log_loss=float(-(y * np.log(clipped) + (1 - y) * np.log1p(-clipped)).sum()),
            brier=float(((y - score) ** 2).sum()),
        )
        low, high = float(score.min()), float(score.max())
        if self.score_range:
            low, high = min(low, self.score_range[0]), max(high, self.score_range[1])
        self.score_range = [low, high]

    def _classes(self, values: pd.Series, what: str) -> np.ndarray[Any, Any] | None:
        """0/1 as :func:`modelhealth.checks._metrics` reads them; ``None`` (and the
        unknown values kept for the message) when some are neither."""
        positive = self.spec.positive_label
        if positive is not None:
            return np.asarray(as_text(values) == scalar_text(positive), dtype=np.int64)
        if ptypes.is_numeric_dtype(values.dtype):  # 0/1 numbers: no text needed
            x = values.to_numpy(dtype=np.float64)
            if np.isin(x, (0.0, 1.0)).all():
                return np.asarray(x == 1.0, dtype=np.int64)
        text = as_text(values).str.lower()
        unknown = set(text.unique()) - _TRUE - _FALSE
        if unknown:
            self.unknown[what] = sorted(set(self.unknown[what]) | unknown)[:_SHOWN]
            return None
        return np.asarray(text.isin(_TRUE), dtype=np.int64)

    def _confusion(
        self, how: str, y: np.ndarray[Any, Any] | None, cls: np.ndarray[Any, Any] | None
    ) -> None:
        if y is None or cls is None:
            return
        tp = int((y & cls).sum())
        fp, fn = int(cls.sum()) - tp, int(y.sum()) - tp
        self._add(**{f"{how}.tp": tp, f"{how}.fp": fp, f"{how}.fn": fn})
        self._add(**{f"{how}.n": len(y)})

    def _add(self, **values: float) -> None:
        for key, value in values.items():
            self.sums[key] += value

    def merge(self, other: Any) -> None:
        assert isinstance(other, MetricPass)
        self.rows += other.rows
        self.labelled += other.labelled
        self.seen_prediction |= other.seen_prediction
        self.labels_present += other.labels_present
        for key in self.infinite:
            self.infinite[key] += other.infinite[key]
        for key, values in other.unknown.items():
            self.unknown[key] = sorted(set(self.unknown[key]) | set(values))[:_SHOWN]
        self.not_numeric |= other.not_numeric
        self._add(**other.sums)
        self.all_float &= other.all_float
        self.scores_seen |= other.scores_seen
        self.classes_missing |= other.classes_missing
        if other.score_range:
            mine = self.score_range or other.score_range
            self.score_range = [
                min(mine[0], other.score_range[0]),
                max(mine[1], other.score_range[1]),
            ]
        self.counts.merge(other.counts)
        self.pairs.update(other.pairs)
        if other.moments[0]:
            self._add_moments(*other.moments)

    # -- the metric -----------------------------------------------------------

    def value(self, metric: str) -> float:
        """The metric over every labelled row (NaN when undefined, as sklearn).

        Raises:
            CheckError: as :func:`modelhealth.checks._metrics.compute` would.
        """
        for what in ("prediction", "label"):
            if self.infinite[what]:
                raise CheckError(infinite_message(self.infinite[what], what, metric))
        applies(metric, self.spec.task)
        if self.spec.task == "regression":
            return self._regression_value(metric)
        if self.spec.task == "multiclass_classification":
            return multiclass(metric, self.pairs)
        return self._binary_value(metric)

    def details(self, metric: str) -> dict[str, Any]:
        """How the value was computed, for the result's details."""
        if metric in ("roc_auc", "pr_auc") and self.is_score():
            exact = self.counts.exact
            return {
                "score_counts": "exact" if exact else "binned",
                "score_keys": len(self.counts.keys),
                "roc_auc_tie_bound": self.counts.tie_bound,
            }
        return {}

    def is_score(self) -> bool:
        return self.all_float and self.scores_seen

    def _regression_value(self, metric: str) -> float:
        if self.not_numeric:
            raise CheckError("regression labels and predictions must be numbers")
        n, _, m2 = self.moments
        s = self.sums
        if metric == "mae":
            return s["abs"] / n
        if metric == "rmse":
            return math.sqrt(s["squared"] / n)
        if metric == "mape":
            if not s["nonzero"]:
                raise CheckError("mape is undefined: every label is 0; use mae or rmse")
            return s["relative"] / s["nonzero"]
        if n < 2:
            return math.nan
        if m2 == 0:  # sklearn's force_finite
            return 1.0 if s["squared"] == 0 else 0.0
        return 1.0 - s["squared"] / m2

    def _binary_value(self, metric: str) -> float:
        if self.unknown["labels"]:
            raise CheckError(_unknown_message("labels", self.unknown["labels"]))
        score = self.is_score()
        if not score:
            if metric in SCORE_METRICS:
                raise CheckError(
                    f"{metric} needs scores, but the prediction column holds classes"
                )
            if self.unknown["predictions"]:
                raise CheckError(
                    _unknown_message("predictions", self.unknown["predictions"])
                )
            if self.classes_missing:
                raise CheckError(
                    "the prediction column holds scores in some rows' batches and "
                    "classes in others; give it one type"
                )
        how = "score" if score else "class"
        s = self.sums
        tp, fp, fn, n = (int(s[f"{how}.{k}"]) for k in ("tp", "fp", "fn", "n"))
        positives = tp + fn
        if metric in ("roc_auc", "pr_auc"):
            if positives in (0, n):
                raise CheckError(f"{metric} needs both classes among the labels")
            return (roc_auc if metric == "roc_auc" else average_precision)(self.counts)
        if metric == "log_loss":
            return s["log_loss"] / n
        if metric == "brier":
            low, high = self.score_range
            if low < 0 or high > 1:
                raise CheckError(
                    f"brier needs probabilities in [0, 1]; the scores reach "
                    f"{low if low < 0 else high:g}"
                )
            return s["brier"] / n
        if metric == "accuracy":
            return (n - fp - fn) / n
        return prf(metric, tp, fp, fn)


def _unknown_message(what: str, found: list[str]) -> str:
    return (
        f"the {what} of a binary classifier must be 0/1 or true/false, or the "
        f"rules must name prediction.positive_label; found {found}"
    )
