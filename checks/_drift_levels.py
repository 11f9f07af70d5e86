"""A drift statistic against its levels: ``auto``'s noise-raised levels, and
the result's wording (``psi 0.31 >= fail 0.25``)."""

from __future__ import annotations

from modelhealth.checks import _methods
from modelhealth.checks.base import Status
from modelhealth.rules.models import Threshold

__all__ = ["level_message", "raised_levels"]


def raised_levels(threshold: Threshold, outcome: _methods.Outcome) -> Threshold:
    """``auto``'s levels for one statistic: the check's (in standard deviations)
    on the statistic's scale, raised to its noise bound."""
    assert outcome.noise is not None
    levels = threshold.model_dump(exclude_none=True).items()
    return Threshold(**{k: max(v * outcome.scale, outcome.noise) for k, v in levels})


def level_message(
    outcome: _methods.Outcome, status: Status, threshold: Threshold
) -> str:
    """E.g. ``psi 0.31 >= fail 0.25`` or ``ks p=0.003 <= fail 0.05 (D=0.21)``."""
    name, test = outcome.method, outcome.p_value is not None
    shown = f"{name} p={outcome.graded:.3g}" if test else f"{name} {outcome.graded:.3g}"
    crossed, held = ("<=", ">") if test else (">=", "<")
    suffix = f" (statistic {outcome.statistic:.3g})" if test else ""
    if status is Status.FAILED:
        return f"{shown} {crossed} fail {threshold.fail:.3g}{suffix}"
    if status is Status.WARNED:
        return f"{shown} {crossed} warn {threshold.warn:.3g}{suffix}"
    key, level = (
        ("warn", threshold.warn)
        if threshold.warn is not None
        else ("fail", threshold.fail)
    )
    assert level is not None
    return f"{shown} {held} {key} {level:.3g}{suffix}"
