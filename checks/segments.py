"""``segment_by``: run a check once per segment of the run, so a local problem shows.

A check with ``segment_by: [region]`` (or several columns) is run on each of the
``max_segments`` largest groups of the run's rows by those columns (ties broken by
the segment's name; nulls form their own group, ``region=null``). Every result of a
segment gets the segment in its subject, ``region=eu`` for a dataset-level result and
``age@region=eu`` for a column's, and ``{"segment": {...}, "segment_rows": n}`` in
its details. When segments were left out, each result says how many there were.

**What a segment is compared with.** The reference is not profiled per segment (a
baseline is registered once, for the whole population), so a segment's profile is
compared with the *whole* reference: a segment that differs from the population by
nature (one client's customers are older) shows as drifted from the first run.
Window references, made of past runs' whole-run profiles, behave the same way.
Metrics per segment are compared with the baseline's overall pre-deployment value.
A ``metric`` or ``estimated_metric`` check is also run on the whole run (subject
``None``), and that result names the segments contributing most to its drop
(weight x drop; :mod:`modelhealth.checks._contributors`).
A segment's row count is compared with nothing (``volume``'s ``max_change`` is not
graded per segment, its ``min_rows``/``max_rows`` are).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from modelhealth.checks.base import Check, CheckContext, CheckError, CheckResult
from modelhealth.checks.profiling import profile_frame

__all__ = ["run_segmented", "segment_name"]


def segment_name(columns: list[str], values: tuple[Any, ...]) -> str:
    """``region=eu`` or ``region=eu,plan=pro``; a null value reads ``null``."""
    import pandas as pd

    return ",".join(
        f"{c}={'null' if v is None or (not isinstance(v, str) and pd.isna(v)) else v}"
        for c, v in zip(columns, values, strict=True)
    )


def run_segmented(check: Check[Any], ctx: CheckContext) -> list[CheckResult]:
    """``check.run(ctx)``, or once per segment when its params have ``segment_by``.

    Raises:
        CheckError: a ``segment_by`` column is not in the run data.
    """
    by = check.params.segment_by
    if not by:
        return check.run(ctx)
    frame = ctx.frame
    missing = [c for c in by if c not in frame.columns]
    if missing:
        raise CheckError(
            f"segment_by column {missing[0]!r} is not in the run data "
            f"(columns: {', '.join(map(str, frame.columns[:20]))})"
        )
    groups = frame.groupby(by, dropna=False, sort=False).indices
    keys = [k if isinstance(k, tuple) else (k,) for k in groups]
    sizes = [len(v) for v in groups.values()]
    order = sorted(
        range(len(keys)), key=lambda i: (-sizes[i], segment_name(by, keys[i]))
    )
    chosen = order[: check.params.max_segments]
    reference = ctx.reference
    if reference is not None:  # row counts are whole-run counts: not comparable
        reference = replace(reference, row_counts=())
    ref_profile = reference.profile if reference is not None else None
    rows_index = list(groups.values())
    results: list[CheckResult] = []
    for i in chosen:
        name = segment_name(by, keys[i])
        part = frame.iloc[rows_index[i]]
        segment = dict(zip(by, keys[i], strict=True))
        sub = replace(
            ctx,
            frame=part,
            profile=profile_frame(part, reference=ref_profile),
            reference=reference,
            recent_row_counts=(),
            segment=segment,
            # the run's row passes and row count are the whole run's: a segment
            # is computed from its own rows (of the sample, on a sampled run)
            passes={},
            row_count=None,
        )
        extra: dict[str, Any] = {
            "segment": {k: _plain(v) for k, v in segment.items()},
            "segment_rows": len(part),
        }
        if len(keys) > len(chosen):
            extra["segments_total"] = len(keys)
        for result in check.run(sub):
            subject = f"{result.subject}@{name}" if result.subject else name
            results.append(
                replace(result, subject=subject, details={**result.details, **extra})
            )
    if check.params.kind in _METRIC_KINDS:
        from modelhealth.checks._contributors import name_contributors

        whole = [name_contributors(r, results, len(frame)) for r in check.run(ctx)]
        results = whole + results
    return results


_METRIC_KINDS = ("metric", "estimated_metric")


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        value = value.item()
    return (
        value
        if isinstance(value, (str, int, float, bool)) or value is None
        else str(value)
    )
