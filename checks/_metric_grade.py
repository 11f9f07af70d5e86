"""Grading a ``metric`` check's value: bounds, the drop from the baseline, one result.

Kept apart from :mod:`modelhealth.checks.metric` so that its value, wherever it
came from (a row pass over every row, or a frame), is graded and worded the same.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from modelhealth.checks._metric_names import HIGHER_IS_BETTER
from modelhealth.checks.base import CheckContext, CheckResult, Status

if TYPE_CHECKING:
    from modelhealth.checks.metric import MetricCheck

__all__ = ["grade_metric"]


def grade_metric(
    check: MetricCheck,
    ctx: CheckContext,
    value: float,
    rows: int,
    total: int,
    how: dict[str, object],
) -> CheckResult:
    """One result for ``value`` on ``rows`` labelled rows of ``total``.

    Args:
        check: the check, for its params and result fields.
        ctx: the run's context (reference metrics, stage).
        value: the metric.
        rows: labelled rows it was computed on.
        total: rows seen, labelled or not.
        how: how it was computed, merged into the details (``sampled`` adds a
            note to the message).

    Returns:
        ``failed`` when a bound is crossed, ``errored`` for an undefined value,
        ``skipped`` when only ``max_drop`` was given and no baseline value exists.
    """
    p = check.params
    if not math.isfinite(value):  # e.g. r2 of one row: graded, NaN would pass
        return check.result(
            Status.ERRORED,
            message=f"{p.metric} is undefined on these {rows} labelled rows "
            "(too few rows or a single class?)",
            metrics={"rows": float(rows)},
        )
    name = p.metric
    threshold: dict[str, float] = {}
    metrics: dict[str, float] = {name: value, "rows": float(rows)}
    broken: list[str] = []
    notes: list[str] = []
    if p.min is not None:
        threshold["min"] = p.min
        if value < p.min:
            broken.append(f"< min {p.min:g}")
    if p.max is not None:
        threshold["max"] = p.max
        if value > p.max:
            broken.append(f"> max {p.max:g}")
    baseline = ctx.reference.metrics.get(name) if ctx.reference else None
    if p.max_drop is not None:
        threshold["max_drop"] = p.max_drop
        if baseline is None:
            notes.append(f"no baseline {name} to compare with")
        else:
            drop = baseline - value if name in HIGHER_IS_BETTER else value - baseline
            metrics.update(baseline=baseline, drop=drop)
            where = ctx.reference.label if ctx.reference else "baseline"
            text = f"drop {drop:.3f} from {where} ({baseline:.3f})"
            if drop > p.max_drop + 1e-12:
                broken.append(f"{text} > max_drop {p.max_drop:g}")
            else:
                notes.append(text)
    graded = p.min is not None or p.max is not None or "drop" in metrics
    graded = graded or p.threshold is not None  # the history band grades it
    status = Status.FAILED if broken else Status.PASSED
    if not graded:
        status = Status.SKIPPED
    parts = [f"{name} {value:.3f}", *broken, *notes]
    sample = f" of a sample of the run's {ctx.rows:,}" if how.get("sampled") else ""
    return check.result(
        status,
        value=value,
        threshold=threshold,
        metrics=metrics,
        details={
            "metric": name,
            "stage": ctx.stage,
            "labelled_rows": rows,
            "unlabelled_rows": total - rows,
            "baseline_version": ctx.reference.version if ctx.reference else None,
            **how,
        },
        message=", ".join(parts) + f" on {rows:,} labelled rows" + sample,
    )
