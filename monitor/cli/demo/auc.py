"""The demo's closing table: the estimated and the realized ROC AUC by day.

The estimate (``estimated-auc``, an ``estimated_metric`` check) is known on the day
of the run; the realized value (``live-auc``, and ``metrics.realized`` of the
estimate's result) only once that day's labels arrive, days later.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from modelhealth.store import Store

__all__ = ["print_auc"]


def print_auc(console: Any, store: Store, days: int, *, since: int, delay: int) -> None:
    """Print the estimated and the realized ROC AUC of each day from day ``since``
    on, and the days on which each check first failed.

    Args:
        console: where to print.
        store: the demo's store.
        days: the demo's runs.
        since: the first day shown.
        delay: the days after a run its labels arrive.
    """
    runs = store.runs("churn", limit=days)[::-1]
    console.print(
        f"ROC AUC by day: estimated on the day, without labels; realized when the "
        f"labels arrive, {delay} days later",
        style="bold",
        markup=False,
    )
    fell: dict[str, int] = {}
    for day, run in enumerate(runs, start=1):
        record = store.run("churn", run.run_id)
        found = {r.check_id: r for r in record.results} if record else {}
        estimate, realized = found.get("estimated-auc"), found.get("live-auc")
        for name, result in (("estimated", estimate), ("realized", realized)):
            if result is not None and result.status == "failed":
                fell.setdefault(name, day)
        if day < since or estimate is None or estimate.value is None:
            continue
        low, high = (
            estimate.metrics.get("band_lower"),
            estimate.metrics.get("band_upper"),
        )
        band = f"[{low:.3f}, {high:.3f}]" if low is not None and high else ""
        known = (
            f"{realized.value:.3f}"
            if realized is not None and realized.value is not None
            else "labels not in yet"
        )
        console.print(
            f"  day {day:2d}  {run.run_id}  estimated {estimate.value:.3f} {band}"
            f"  realized {known}",
            markup=False,
        )
    if "estimated" in fell:
        confirmed = fell.get("realized")
        then = (
            f"the labels confirmed a drop (live-auc) on day {confirmed + delay}, "
            f"when day {confirmed}'s arrived"
            if confirmed is not None
            else "no labels have confirmed it yet"
        )
        console.print(
            f"  estimated-auc failed from day {fell['estimated']}, without a label; "
            f"{then}",
            markup=False,
        )
