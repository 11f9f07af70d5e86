"""Which segments contribute most to a metric's drop.

A ``metric`` or ``estimated_metric`` check split by ``segment_by`` has one result
per segment and one for the whole run (subject ``None``). Each segment's share of
the whole drop is read as its weight (its share of the run's rows) times its own
drop from the baseline: a small segment that collapsed and a large one that slipped
a little can matter as much. :func:`name_contributors` ranks the segments whose
drop is positive by that product and adds the first :data:`SHOWN` to the whole
run's result: in its details (``drop_contributors``) and its message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from modelhealth.checks.base import CheckResult

__all__ = ["SHOWN", "name_contributors"]

SHOWN = 3


def name_contributors(
    whole: CheckResult, segments: Sequence[CheckResult], rows: int
) -> CheckResult:
    """``whole`` with the segments that contribute most to its drop named.

    Args:
        whole: the result on the whole run.
        segments: the results of its segments (``details.segment_rows`` and
            ``metrics.drop`` each, when graded on a drop).
        rows: the run's rows.

    Returns:
        ``whole`` unchanged when no segment dropped, else with
        ``details.drop_contributors`` (segment, rows, weight, drop, contribution;
        largest contribution first) and a clause in its message.
    """
    ranked: list[dict[str, Any]] = []
    for result in segments:
        drop = result.metrics.get("drop")
        size = result.details.get("segment_rows")
        if drop is None or size is None or drop <= 0 or rows <= 0:
            continue
        weight = size / rows
        ranked.append(
            {
                "segment": result.subject,
                "rows": int(size),
                "weight": weight,
                "drop": float(drop),
                "contribution": weight * float(drop),
            }
        )
    if not ranked:
        return whole
    ranked.sort(key=lambda c: (-c["contribution"], str(c["segment"])))
    top = ranked[:SHOWN]
    clause = ", ".join(
        f"{c['segment']} ({c['weight']:.0%} of rows x drop {c['drop']:.3f})"
        for c in top
    )
    message = f"{whole.message}; the drop comes most from {clause}"
    details = {**whole.details, "drop_contributors": top}
    return replace(whole, message=message, details=details)
