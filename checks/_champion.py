"""A ``metric`` check in the gate, when the champion scored the same rows.

Both models' metric is computed on the rows that have a label and both predictions
(:func:`modelhealth.checks._paired.compare`), and ``max_drop`` bounds how much worse
the candidate may be than the champion (not than the registered baseline number).
The *drop* is ``champion - candidate`` for metrics where higher is better and
``candidate - champion`` for losses, so a positive drop is always "worse"; its
interval is the difference's, at the rule's ``confidence`` (0.95 by default):

- ``failed``: the whole interval lies above ``max_drop`` (worse by more than allowed,
  with that confidence);
- ``passed``: the whole interval lies at or below ``max_drop``;
- ``warned`` ("inconclusive"): the interval straddles ``max_drop``; more rows would
  decide.

``min``/``max`` still bound the candidate's own value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from modelhealth.checks._metric_names import HIGHER_IS_BETTER
from modelhealth.checks._paired import compare
from modelhealth.checks.base import CheckContext, CheckResult, Status

if TYPE_CHECKING:
    from modelhealth.checks.metric import MetricCheck

__all__ = ["grade_paired"]


def grade_paired(check: MetricCheck, ctx: CheckContext, rows: pd.Series) -> CheckResult:
    """Grade the candidate against ``ctx.champion`` on the ``rows`` selected.

    Raises:
        CheckError: too few rows for an interval, or columns the metric cannot read.
    """
    p = check.params
    spec, label = ctx.rule_set.prediction, ctx.rule_set.label
    assert spec is not None
    assert label is not None
    assert ctx.champion is not None
    frame = ctx.frame.loc[rows]
    c = compare(
        p.metric,
        frame[label.column],
        frame[spec.column],
        frame[ctx.champion],
        spec,
        confidence=p.confidence,
        resamples=p.resamples,
    )
    name = p.metric
    better_high = name in HIGHER_IS_BETTER
    drop = -c.difference if better_high else c.difference
    low, high = (-c.high, -c.low) if better_high else (c.low, c.high)
    metrics = {
        name: c.candidate,
        "champion": c.champion,
        "difference": c.difference,
        "difference_low": c.low,
        "difference_high": c.high,
        "drop": drop,
        "drop_low": low,
        "drop_high": high,
        "confidence": p.confidence,
        "rows": float(c.rows),
    }
    threshold: dict[str, float] = {}
    broken: list[str] = []
    if p.min is not None:
        threshold["min"] = p.min
        if c.candidate < p.min:
            broken.append(f"< min {p.min:g}")
    if p.max is not None:
        threshold["max"] = p.max
        if c.candidate > p.max:
            broken.append(f"> max {p.max:g}")
    notes: list[str] = []
    inconclusive = False
    if p.max_drop is not None:
        threshold["max_drop"] = p.max_drop
        if low > p.max_drop + 1e-12:
            broken.append(
                f"worse than the champion by more than max_drop {p.max_drop:g}"
            )
        elif high <= p.max_drop + 1e-12:
            notes.append(f"not worse than the champion by more than {p.max_drop:g}")
        else:
            notes.append(
                f"inconclusive: the interval of the drop ({low:+.3f} to {high:+.3f}) "
                f"straddles max_drop {p.max_drop:g}"
            )
            inconclusive = True
    status = Status.FAILED if broken else Status.PASSED
    if status is Status.PASSED and inconclusive:
        status = Status.WARNED
    how = "DeLong" if c.method == "delong" else f"paired bootstrap x{c.resamples}"
    pct = f"{p.confidence:.0%}"
    message = (
        f"{name} {c.candidate:.3f} vs champion {c.champion:.3f}: difference "
        f"{c.difference:+.3f} ({pct} CI {c.low:+.3f} to {c.high:+.3f}, {how}) "
        f"on {c.rows:,} rows" + "".join(f"; {part}" for part in (*broken, *notes))
    )
    return check.result(
        status,
        value=c.candidate,
        threshold=threshold,
        metrics=metrics,
        details={
            "metric": name,
            "stage": ctx.stage,
            "comparison": "champion",
            "method": c.method,
            "resamples": c.resamples,
            "decision": "inconclusive" if inconclusive else status.value,
            "labelled_rows": c.rows,
            "unlabelled_rows": len(ctx.frame) - c.rows,
        },
        message=message,
    )
