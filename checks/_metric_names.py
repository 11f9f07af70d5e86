"""The metrics the ``metric`` check knows, by task, with no numeric library.

Kept apart from :mod:`modelhealth.checks._metrics` (which computes them with pandas
and scikit-learn) so that loading a rules file does not import either.
"""

from __future__ import annotations

from typing import Literal

__all__ = [
    "CLASSIFICATION",
    "HIGHER_IS_BETTER",
    "REGRESSION",
    "SCORE_METRICS",
    "MetricName",
]

MetricName = Literal[
    "accuracy",
    "precision",
    "recall",
    "f1",
    "roc_auc",
    "pr_auc",
    "log_loss",
    "brier",
    "mae",
    "rmse",
    "mape",
    "r2",
]
CLASSIFICATION = frozenset(
    {"accuracy", "precision", "recall", "f1", "roc_auc", "pr_auc", "log_loss", "brier"}
)
REGRESSION = frozenset({"mae", "rmse", "mape", "r2"})
SCORE_METRICS = frozenset({"roc_auc", "pr_auc", "log_loss", "brier"})
HIGHER_IS_BETTER = frozenset(
    {"accuracy", "precision", "recall", "f1", "roc_auc", "pr_auc", "r2"}
)
