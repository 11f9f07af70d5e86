"""What each page shows, as plain data: the page's JSON twin, and its template's input.

One function per page turns named store reads into a dict of plain values (strings,
numbers, datetimes, lists, dicts). The JSON route returns that dict as it is; the
HTML route hands the same dict to the template, which adds charts drawn from it. So
what a page shows and what its ``.json`` says cannot drift apart.

Views only read: they never write, never run checks and never build SQL.
A model's **health** is its latest run's status (the worst status among that run's
results); open incidents come from the store's incidents, when the store has them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from modelhealth.store import Store
from modelhealth.web.axes import axis_title
from modelhealth.web.gates import gate_history

__all__ = [
    "INCIDENT_STATES",
    "SEVERITIES",
    "STATUSES",
    "Filters",
    "incidents_view",
    "model_view",
    "overview_view",
    "run_view",
]

STATUSES = ("passed", "skipped", "warned", "errored", "failed")
_BAD = ("warned", "errored", "failed")


@dataclass(frozen=True)
class Filters:
    """A model page's filters: finished in ``[since, until)``, a status, a page."""

    since: datetime | None = None
    until: datetime | None = None
    status: str | None = None
    page: int = 1
    per_page: int = 100


def _incidents(store: Store, model: str | None = None, **kw: Any) -> list[Any] | None:
    reader = getattr(store, "incidents", None)
    if reader is None:  # the store of this version keeps no incidents
        return None
    found: list[Any] = reader(model, **kw)
    return found


def _incident(record: Any, now: datetime) -> dict[str, Any]:
    end = record.resolved_at or now
    return {
        "id": record.id,
        "model": record.model,
        "check_id": record.check_id,
        "subject": record.subject,
        "severity": record.severity,
        "status": record.status,
        "opened_at": record.opened_at,
        "resolved_at": record.resolved_at,
        "last_seen_at": record.last_seen_at,
        "duration_seconds": max((end - record.opened_at).total_seconds(), 0.0),
        "first_run_id": record.first_run_id,
        "last_run_id": record.last_run_id,
        "runs_count": record.runs_count,
        "acknowledged": record.acknowledged,
        "acked_by": record.acked_by,
        "acked_until": record.acked_until,
        "silenced_by": record.silenced_by,
        "maintenance": record.maintenance,
        "value": getattr(record, "value", None),
        "message": getattr(record, "message", ""),
        "closed_because": getattr(record, "closed_because", None),
    }


def overview_view(store: Store, *, recent: int = 30) -> dict[str, Any]:
    """Every model's health, latest run, open incidents and recent runs.

    An unhealthy model (its latest run warned, errored or failed) also lists its
    ``failing`` checks, each with the first run of its unbroken streak (``since``).
    """
    now = datetime.now(timezone.utc)
    open_incidents = _incidents(store, status="open", limit=1000)
    per_model: dict[str, int] = {}
    for incident in open_incidents or []:
        per_model[incident.model] = per_model.get(incident.model, 0) + 1
    models: list[dict[str, Any]] = []
    for m in store.health_overview(recent):
        age = (now - m.last_run_at).total_seconds() if m.last_run_at else None
        failing = store.failing_streaks(m.name) if m.last_status in _BAD else []
        models.append(
            {
                "name": m.name,
                "health": m.last_status or "no runs",
                "runs": m.runs,
                "last_run_id": m.last_run_id,
                "last_run_at": m.last_run_at,
                "age_seconds": age,
                "open_incidents": (
                    None if open_incidents is None else per_model.get(m.name, 0)
                ),
                "recent": [
                    {
                        "run_id": r.run_id,
                        "finished_at": r.finished_at,
                        "status": r.status,
                    }
                    for r in m.recent
                ],
                "failing": [
                    {
                        "check_id": f.check_id,
                        "subject": f.subject,
                        "status": f.status,
                        "severity": f.severity,
                        "since": f.since,
                        "since_run_id": f.since_run_id,
                        "runs": f.runs,
                        "at_least": f.at_least,
                    }
                    for f in failing
                ],
            }
        )
    order = {s: i for i, s in enumerate(reversed(STATUSES))}
    models.sort(key=lambda m: (order.get(m["health"], 9), m["name"]))
    return {"generated_at": now, "models": models}


def _series(store: Store, model: str, runs: list[Any]) -> dict[str, Any]:
    """Each check's points over ``runs``, and each run's checks that did not pass."""
    points = store.results_of_runs([r.pk for r in runs])
    failing: dict[str, list[dict[str, Any]]] = {}
    for p in points:
        if p.status in _BAD:
            failing.setdefault(p.run_id, []).append(
                {"check_id": p.check_id, "subject": p.subject, "status": p.status}
            )
    for found in failing.values():
        found.sort(key=lambda f: -STATUSES.index(f["status"]))
    latest = store.run(model, runs[0].run_id) if runs else None
    details = {(r.check_id, r.subject): r for r in latest.results} if latest else {}
    checks: dict[tuple[str, str | None], dict[str, Any]] = {}
    for p in points:
        key = (p.check_id, p.subject)
        if key not in checks:
            last = details.get(key)
            checks[key] = {
                "check_id": p.check_id,
                "subject": p.subject,
                "kind": p.kind,
                "threshold": dict(last.threshold) if last else {},
                "metric": (last.details.get("metric") if last else None),
                "lower_is_better": _lower_is_better(last),
                "axis": axis_title(p.kind, p.subject, last.details if last else {}),
                "points": [],
            }
        checks[key]["points"].append(
            {
                "run_id": p.run_id,
                "finished_at": p.finished_at,
                "status": p.status,
                "value": p.value,
                "realized": p.realized,
                "band": (
                    None
                    if p.history_lower is None or p.history_upper is None
                    else [p.history_lower, p.history_upper]
                ),
            }
        )
    for check in checks.values():
        check["worst"] = max((p["status"] for p in check["points"]), key=STATUSES.index)
    return {"checks": sorted(checks.values(), key=_check_order), "failing": failing}


def _lower_is_better(result: Any) -> bool:
    """Whether a metric result counted a rise as its drop (a loss, an error).

    The metric check stores ``drop`` as the worsening from the baseline: read its
    sign rather than keep a second list of which metrics are losses.
    """
    if result is None or result.value is None:
        return False
    baseline, drop = result.metrics.get("baseline"), result.metrics.get("drop")
    if baseline is None or drop is None:
        return False
    value = float(result.value)
    return bool(abs((value - baseline) - drop) < abs((baseline - value) - drop))


def _check_order(check: dict[str, Any]) -> tuple[int, str, str]:
    worst = STATUSES.index(check["worst"])
    return (-worst, check["check_id"], check["subject"] or "")


def model_view(store: Store, name: str, filters: Filters) -> dict[str, Any] | None:
    """A model's history under ``filters``; ``None`` if the store has no such model.

    Runs are paged (``per_page`` per page, newest first); charts cover the page's runs.
    """
    if not store.has_model(name):
        return None
    window = {"since": filters.since, "until": filters.until}
    total = store.count_runs(name, status=filters.status, **window)
    pages = max(1, math.ceil(total / filters.per_page))
    page = min(max(filters.page, 1), pages)
    runs = store.runs(
        name,
        limit=filters.per_page,
        offset=(page - 1) * filters.per_page,
        status=filters.status,
        **window,
    )
    newest = store.runs(name, limit=1)
    baselines = store.baselines(name)
    metrics = baselines[0].metrics if baselines else {}
    series = _series(store, name, runs)
    for check in series["checks"]:
        if check["kind"] in ("metric", "estimated_metric"):
            metric = check["metric"] or check["subject"] or check["check_id"]
            check["baseline"] = metrics.get(metric)
    drift = [c for c in series["checks"] if c["kind"] == "drift" and c["subject"]]
    return {
        "model": name,
        "health": newest[0].status if newest else "no runs",
        "last_run": _run_row(newest[0]) if newest else None,
        "filters": {
            "since": filters.since,
            "until": filters.until,
            "status": filters.status,
            "page": page,
            "per_page": filters.per_page,
        },
        "total_runs": total,
        "pages": pages,
        "status_counts": store.run_status_counts(name, **window),
        "runs": [
            {**_run_row(r), "failing": series["failing"].get(r.run_id, [])}
            for r in runs
        ],
        "checks": series["checks"],
        "drift_features": sorted({c["subject"] for c in drift}),
        "metrics": [c for c in series["checks"] if c["kind"] == "metric"],
        "baselines": [
            {
                "version": b.version,
                "created_at": b.created_at,
                "row_count": b.row_count,
                "metrics": b.metrics,
            }
            for b in baselines
        ],
        "versions": [
            {
                "version": v.version,
                "runs": v.runs,
                "first_at": v.first_at,
                "last_at": v.last_at,
            }
            for v in store.version_summary(name)
        ],
        "gates": gate_history(store, name),
    }


def _run_row(run: Any) -> dict[str, Any]:
    return {
        "run_id": run.run_id,
        "status": run.status,
        "finished_at": run.finished_at,
        "model_version": run.model_version,
        "row_count": run.row_count,
        "counts": run.counts,
        "reference": run.reference,
    }


def run_view(store: Store, model: str, run_id: str) -> dict[str, Any] | None:
    """One run: every result, every column's distributions, schema failures.

    ``distributions`` holds every profiled column (the prediction and label
    included), drifted ones first, each with the drift result graded on it if any.
    """
    from modelhealth.web.distributions import distributions

    run = store.run(model, run_id)
    if run is None:
        return None
    before, after = store.run_neighbours(model, run_id)
    order = {s: i for i, s in enumerate(reversed(STATUSES))}
    results: list[dict[str, Any]] = sorted(
        (
            {
                "check_id": r.check_id,
                "kind": r.kind,
                "subject": r.subject,
                "status": r.status,
                "severity": r.severity,
                "value": r.value,
                "threshold": r.threshold,
                "metrics": r.metrics,
                "message": r.message,
                "details": r.details,
                "failures": r.failures,
                "position": i,
            }
            for i, r in enumerate(run.results)
        ),
        key=lambda r: (order.get(r["status"], 9), r["position"]),
    )
    return {
        "model": model,
        "run": {**_run_row(run), "started_at": run.started_at, "source": run.source},
        "previous_run_id": before,
        "next_run_id": after,
        "results": results,
        "schema_failures": [
            r for r in results if r["kind"] == "schema" and r["status"] in _BAD
        ],
        "distributions": _ordered(
            [
                {**d, **_drift_of(results, d["column"])}
                for d in distributions(store, run)
            ]
        ),
    }


def _drift_of(results: list[dict[str, Any]], column: str) -> dict[str, Any]:
    """The drift result graded on ``column``: a ``drift`` check's, or the
    ``prediction`` check's drift part when ``column`` is the prediction."""
    for r in results:
        feature = r["kind"] == "drift" and r["subject"] == column
        output = (
            r["kind"] == "prediction"
            and r["subject"] == "drift"
            and r["details"].get("column") == column
        )
        if feature or output:
            return {
                "check_id": r["check_id"],
                "status": r["status"],
                "value": r["value"],
                "method": r["details"].get("method", "value"),
                "prediction": output,
            }
    return {}


def _ordered(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drifted columns first (worst first), then graded ones, then the rest."""
    rank = {s: i for i, s in enumerate(reversed(STATUSES))}
    return sorted(
        found,
        key=lambda d: (
            rank.get(d.get("status", ""), len(rank)) if "status" in d else len(rank) + 1
        ),
    )


INCIDENT_STATES = ("open", "resolved", "stale", "acknowledged", "silenced")
SEVERITIES = ("critical", "warning", "info")


def incidents_view(
    store: Store,
    *,
    model: str | None = None,
    severity: str | None = None,
    state: str | None = None,
) -> dict[str, Any]:
    """Open incidents critical first, then closed ones (resolved, or closed as
    stale), newest first, filtered.

    Args:
        store: where the incidents are.
        model: only this model's.
        severity: only this severity (``critical``, ``warning``, ``info``).
        state: ``open``, ``resolved``, ``stale``, ``acknowledged`` (open and
            acknowledged) or ``silenced`` (open and held by a silence or a
            maintenance window).
    """
    now = datetime.now(timezone.utc)
    status = state if state in ("resolved", "stale") else ("open" if state else None)
    found = _incidents(store, model, status=status, limit=500)
    filters = {"model": model, "severity": severity, "state": state}
    if found is None:
        return {"available": False, "open": [], "resolved": [], "filters": filters}
    rows = [_incident(i, now) for i in found]
    if severity is not None:
        rows = [i for i in rows if i["severity"] == severity]
    if state == "acknowledged":
        rows = [i for i in rows if i["acknowledged"]]
    if state == "silenced":
        rows = [i for i in rows if i["silenced_by"] is not None or i["maintenance"]]
    rank = {s: n for n, s in enumerate(SEVERITIES)}
    still = [i for i in rows if i["status"] == "open"]
    still.sort(key=lambda i: rank.get(i["severity"], len(rank)))  # stable: newest next
    return {
        "available": True,
        "open": still,
        "resolved": [i for i in rows if i["status"] != "open"],
        "filters": filters,
        "models": sorted({i.model for i in found} | ({model} if model else set())),
    }
