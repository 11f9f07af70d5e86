"""The checks that late labels re-evaluate.

When a run's labels arrive after the run (``modelhealth labels``, or the
scheduler), its predictions are joined to them and these checks run again on the
joined rows: the enabled post-deployment ``metric`` checks, which could not be
computed without labels, and the enabled ``estimated_metric`` checks, which
estimated their metric without labels and now store the realized value beside the
estimate. A run keeps its predictions for later labels only when its rules have
one of them.
"""

from __future__ import annotations

from modelhealth.checks.base import CheckParams
from modelhealth.checks.estimated_metric import EstimatedMetricParams
from modelhealth.checks.metric import metric_checks
from modelhealth.rules.models import RuleSet

__all__ = ["late_label_checks"]


def late_label_checks(rule_set: RuleSet) -> list[CheckParams]:
    """The rules' checks that late labels re-evaluate, in the rules' order."""
    metric = {c.id for c in metric_checks(rule_set, "post_deployment")}
    return [
        c
        for c in rule_set.checks
        if c.id in metric or (isinstance(c, EstimatedMetricParams) and c.enabled)
    ]
