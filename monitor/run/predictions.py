"""Which predictions a run keeps for labels that arrive later, and when.

When a run comes without labels and its rules name ``label.key`` and have a check
that late labels re-evaluate (a post-deployment ``metric`` or an
``estimated_metric`` check, see :mod:`modelhealth.checks.late_labels`), the key,
prediction and segment columns are kept with the run, in the run's own transaction
(:meth:`Store.save_run`), so that :func:`modelhealth.run.labels.attach_labels` can
join the labels to them later.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from modelhealth.checks.late_labels import late_label_checks
from modelhealth.rules.models import RuleSet

if TYPE_CHECKING:
    import pandas as pd

    from modelhealth.checks.profile import Profile

__all__ = ["kept_columns", "predictions_to_keep"]


def kept_columns(rule_set: RuleSet) -> list[str]:
    """The columns kept for late labels: key, prediction (and a multiclass model's
    class scores), those checks' segments."""
    if rule_set.label is None or rule_set.label.key is None:
        return []
    if rule_set.prediction is None:
        return []
    columns = [rule_set.label.key, rule_set.prediction.column]
    scores = rule_set.prediction.scores or {}
    columns += [c for c in scores.values() if c not in columns]
    for check in late_label_checks(rule_set):
        columns += [c for c in check.segment_by or [] if c not in columns]
    return columns


def predictions_to_keep(
    rule_set: RuleSet, frame: pd.DataFrame | None, profile: Profile | None = None
) -> tuple[pd.DataFrame, str] | None:
    """The part of a run's frame to keep for late labels, and its key column.

    Args:
        rule_set: the model's rules.
        frame: the run's rows (at least the :func:`kept_columns`), or ``None``.
        profile: the run's profile: whether the run has labels already is read
            from it when given (the frame then need not hold the label column).

    Returns:
        ``None`` unless the rules name ``label.key`` and have a check that late
        labels re-evaluate, the frame has the key and prediction columns, and it has no
        label yet.
    """
    columns = kept_columns(rule_set)
    if frame is None or not columns or rule_set.label is None:
        return None
    if not late_label_checks(rule_set):
        return None
    label = rule_set.label.column
    if profile is not None and label in profile.columns:
        if profile.columns[label].count > 0:
            return None
    elif label in frame.columns and frame[label].notna().any():
        return None
    present = [c for c in columns if c in frame.columns]
    if columns[0] not in present or columns[1] not in present:
        return None
    return frame[present], columns[0]
