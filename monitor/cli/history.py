"""A model's health history as terminal text (``modelhealth status``, the demo)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from modelhealth.checks.base import Severity, Status
from modelhealth.cli.summary import STYLE, SYMBOL

if TYPE_CHECKING:
    from modelhealth.store import RunRecord, Store

__all__ = [
    "history_json",
    "models_json",
    "print_history",
    "print_models",
    "problems_of",
]


def problems_of(run: RunRecord, limit: int = 3) -> str:
    """The worst few results of a run, as ``check[subject]`` names."""
    bad = [
        r
        for r in run.results
        if r.status not in (Status.PASSED.value, Status.SKIPPED.value)
    ]
    bad.sort(
        key=lambda r: (-Status(r.status).rank, -Severity(r.severity).rank, r.check_id)
    )
    names = [r.check_id + (f"[{r.subject}]" if r.subject else "") for r in bad]
    more = f" +{len(names) - limit}" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def print_history(console: Any, store: Store, model: str, *, limit: int = 30) -> None:
    """One line per run, oldest first: time, run id, status, what went wrong."""
    runs = store.runs(model, limit=limit)
    if not runs:
        console.print(f"no runs stored for model {model!r}", markup=False)
        return
    console.print(f"{model}: last {len(runs)} runs", style="bold", markup=False)
    for summary in reversed(runs):
        run = store.run(model, summary.run_id) or summary
        status = Status(run.status)
        when = run.started_at.strftime("%Y-%m-%d %H:%M")  # the run time
        console.print(
            f"  {when}  {run.run_id:<12} {SYMBOL[status]}  {problems_of(run)}",
            style=STYLE[status],
            markup=False,
        )


def print_models(console: Any, store: Store) -> None:
    """One line per model: its last run's status and when it ran."""
    models = store.models()
    if not models:
        console.print(
            "no models yet: run 'modelhealth check' or 'modelhealth demo'", markup=False
        )
        return
    for m in models:
        status = Status(m.last_status) if m.last_status else Status.SKIPPED
        when = m.last_run_at.strftime("%Y-%m-%d %H:%M") if m.last_run_at else "never"
        console.print(
            f"{SYMBOL[status]}  {m.name:<24} last run {m.last_run_id or '-'} at {when} "
            f"({m.runs} runs)",
            style=STYLE[status],
            markup=False,
        )


def history_json(store: Store, model: str, *, limit: int = 30) -> dict[str, Any]:
    """``status --model M --json``: the model's runs, latest first by run time."""
    runs = []
    for summary in store.runs(model, limit=limit):
        run = store.run(model, summary.run_id) or summary
        runs.append(
            {
                "run_id": run.run_id,
                "run_time": run.started_at.isoformat(),
                "status": run.status,
                "model_version": run.model_version,
                "row_count": run.row_count,
                "reference": run.reference,
                "source": run.source,
                "counts": run.counts,
                "problems": problems_of(run, limit=1000).split(", ")
                if problems_of(run)
                else [],
            }
        )
    return {"model": model, "runs": runs}


def models_json(store: Store) -> list[dict[str, Any]]:
    """``status --json``: every model with its latest run."""
    return [
        {
            "model": m.name,
            "runs": m.runs,
            "last_run_id": m.last_run_id,
            "last_run_time": m.last_run_at.isoformat() if m.last_run_at else None,
            "last_status": m.last_status,
        }
        for m in store.models()
    ]
