"""What a check's value measures, as a trend chart's y-axis title with its unit.

Each check kind stores one number per result (see the kinds' modules in
:mod:`modelhealth.checks`): a drift statistic, a row count, a share of rows, a
metric, an age. :func:`axis_title` names it from the kind and the latest result's
details, so a chart says "PSI (score)" or "rows (count)" rather than "value".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["axis_title"]

_METHODS = {
    "psi": "PSI",
    "ks": "KS p-value",
    "chisquare": "chi-square p-value",
    "z": "z-test p-value",
    "kl_div": "KL divergence",
    "jensenshannon": "Jensen-Shannon",
    "wasserstein": "Wasserstein",
    "hellinger": "Hellinger",
    "auto": "effect size",
}

_PARTS = {
    "nulls": "null predictions (share)",
    "range": "predictions out of range (share)",
    "positive_rate": "positive rate (share)",
    "class_shares": "largest class-share change",
}


def _method(details: Mapping[str, Any]) -> str:
    method = str(details.get("method") or "drift")
    name = _METHODS.get(method, method)
    return f"{name} (0 to 1)" if name.endswith("p-value") else f"{name} (score)"


def axis_title(kind: str, subject: str | None, details: Mapping[str, Any]) -> str:
    """The y-axis title of a check's trend chart, with its unit in parentheses.

    Args:
        kind: the check kind.
        subject: the result's subject (a column, a prediction part, or none).
        details: the latest result's details (``method``, ``metric``...).
    """
    if kind == "drift":
        if subject is None and "drifted_columns" in details:
            return "columns drifted (share)"
        return _method(details)
    if kind == "prediction":
        return _PARTS.get(subject or "", _method(details))
    if kind in ("metric", "estimated_metric"):
        return f"{details.get('metric') or 'metric'} (metric)"
    titles = {
        "volume": "rows (count)",
        "schema": "failing rows (share)",
        "quality": "rows affected (share)",
        "freshness": "age (seconds)",
        "multivariate_drift": "reconstruction error (score)",
        "expectations": "observed value",
    }
    return titles.get(kind, "value")
