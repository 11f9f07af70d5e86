"""State that checks fit on a baseline's rows, stored with the baseline.

A baseline is stored as a profile, not as raw rows. Kinds that need more than a
profile (``multivariate_drift``'s fitted reconstruction, ``estimated_metric``'s
calibration) fit it once, when the baseline is registered, through
:meth:`~modelhealth.checks.base.Check.fit_reference`. :func:`fit_reference` runs that
hook for every enabled check of the rules and returns
``{"fitted": {check_id: state}}``, which the baseline keeps in its details;
:func:`~modelhealth.run.reference.baseline_reference` hands it back to the checks
as ``Reference.fitted``.

A check that cannot fit (too few rows, a constant column, no labels) stores
``{"error": message}`` instead, so registering the baseline still succeeds and the
check's runs say what is missing.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from modelhealth.checks import registry
from modelhealth.checks.base import CheckError

if TYPE_CHECKING:
    import pandas as pd

    from modelhealth.rules.models import RuleSet

__all__ = ["FIT_ERROR", "fit_reference"]

FIT_ERROR = "error"
"""The key of a fitted state that holds why fitting failed instead."""

log = logging.getLogger(__name__)


def fit_reference(rule_set: RuleSet, frame: pd.DataFrame) -> dict[str, Any]:
    """Fit every check of ``rule_set`` that needs state from the baseline's rows.

    Args:
        rule_set: the model's rules.
        frame: the baseline's rows.

    Returns:
        ``{"fitted": {check_id: state}}``, or ``{}`` when no check fits anything.
    """
    fitted: dict[str, Any] = {}
    for params in rule_set.checks:
        if not params.enabled:
            continue
        try:
            cls = registry.get(params.kind)
        except KeyError:
            continue
        try:
            state = cls.fit_reference(params, frame, rule_set)
        except CheckError as exc:
            state = {FIT_ERROR: str(exc)}
        except Exception as exc:  # a bug must not lose the baseline
            log.exception("fitting check %r on the baseline failed", params.id)
            state = {FIT_ERROR: f"fitting on the baseline failed: {exc!r}"}
        if state is not None:
            fitted[params.id] = state
    return {"fitted": fitted} if fitted else {}
