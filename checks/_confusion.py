"""Classification metrics from confusion counts, as scikit-learn defines them.

Precision, recall and F1 of one class from its true positives, false positives and
false negatives (0 where undefined: ``zero_division=0``), and the multiclass
accuracy and macro averages from counts of ``(label, prediction)`` pairs, the
classes sorted as scikit-learn sorts them.
"""

from __future__ import annotations

from collections import Counter

__all__ = ["multiclass", "prf"]


def prf(metric: str, tp: int, fp: int, fn: int) -> float:
    """Precision, recall or F1 of one class (0 where undefined, as zero_division=0)."""
    if metric == "precision":
        return tp / (tp + fp) if tp + fp else 0.0
    if metric == "recall":
        return tp / (tp + fn) if tp + fn else 0.0
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0


def multiclass(metric: str, pairs: Counter[tuple[str, str]]) -> float:
    """Accuracy, or the macro average of precision, recall or F1 over every class
    among labels and predictions, from ``(label, prediction)`` counts."""
    n = sum(pairs.values())
    right = sum(c for (t, p), c in pairs.items() if t == p)
    if metric == "accuracy":
        return right / n
    classes = sorted({t for t, _ in pairs} | {p for _, p in pairs})
    true_sum: Counter[str] = Counter()
    pred_sum: Counter[str] = Counter()
    for (t, p), c in pairs.items():
        true_sum[t] += c
        pred_sum[p] += c
    values = []
    for name in classes:
        tp = pairs.get((name, name), 0)
        values.append(prf(metric, tp, pred_sum[name] - tp, true_sum[name] - tp))
    return sum(values) / len(values)
