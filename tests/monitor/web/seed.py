"""A small but complete history for the report's tests, saved through the Store.

``seed(store, days=12)`` registers a baseline (profile and metrics) for model
``churn`` and saves one run a day: volume, schema (a break with example values on
day 8), drift per feature with profiles (``spend`` drifting from day 6), a metric
and a prediction-drift result. ``seed_incidents`` adds one open and one resolved
incident straight into the table, as the alerting engine would leave them.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa

from modelhealth.checks.base import CheckResult, Status
from modelhealth.report import RunReport
from modelhealth.rules.models import Severity
from modelhealth.store import Store

START = datetime(2026, 3, 1, 6, 0, tzinfo=timezone.utc)
EDGES = [20.0, 40.0, 60.0, 80.0]


def _numeric(counts: list[int], mean: float) -> dict[str, Any]:
    return {
        "name": "x",
        "kind": "numeric",
        "count": sum(counts),
        "nulls": 0,
        "mean": mean,
        "min": 0.0,
        "max": 100.0,
        "edges": EDGES,
        "counts": counts,
    }


def _categorical(cats: dict[str, int]) -> dict[str, Any]:
    return {
        "name": "plan",
        "kind": "categorical",
        "count": sum(cats.values()),
        "categories": cats,
        "other": 0,
        "distinct": len(cats),
    }


def _status(value: float, warn: float, fail: float) -> Status:
    if value >= fail:
        return Status.FAILED
    return Status.WARNED if value >= warn else Status.PASSED


def day_report(model: str, day: int, *, feature: str = "spend") -> RunReport:
    """Day ``day`` (1-based) of ``model``'s history, as the runner would report it."""
    when = START + timedelta(days=day - 1)
    shift = max(0, day - 5) * 40
    spend_counts = [100, 300 - shift // 2, 400 - shift // 2, 150 + shift // 2, 50]
    spend_counts[4] += shift // 2
    psi = 0.02 + max(0, day - 5) * 0.08
    result: list[CheckResult] = [
        CheckResult(
            "row-count",
            "volume",
            None,
            Status.PASSED,
            value=1000 + day,
            threshold={"min": 500},
            message="rows ok",
            started_at=when,
            finished_at=when,
        ),
        CheckResult(
            "input-schema",
            "schema",
            "plan",
            Status.FAILED if day == 8 else Status.PASSED,
            Severity.CRITICAL,
            value=1.0 if day == 8 else 0.0,
            details={"checks": {"isin(['basic', 'pro'])": 1000}} if day == 8 else {},
            failures=(
                ({"check": "isin(['basic', 'pro'])", "value": "Pro"},)
                if day == 8
                else ()
            ),
            message="1000 rows fail isin" if day == 8 else "ok",
            started_at=when,
            finished_at=when,
        ),
        CheckResult(
            "feature-drift",
            "drift",
            feature,
            _status(psi, 0.1, 0.25),
            value=psi,
            threshold={"warn": 0.1, "fail": 0.25},
            details={"method": "psi", "column_kind": "numeric"},
            message=f"psi {psi:.2f}",
            started_at=when,
            finished_at=when,
        ),
        CheckResult(
            "feature-drift",
            "drift",
            "plan",
            Status.FAILED if day == 8 else Status.PASSED,
            value=3.0 if day == 8 else 0.01,
            threshold={"warn": 0.1, "fail": 0.25},
            details={"method": "psi", "column_kind": "categorical"},
            started_at=when,
            finished_at=when,
        ),
        CheckResult(
            "live-auc",
            "metric",
            None,
            Status.PASSED,
            value=0.8 - day * 0.002,
            threshold={"min": 0.7, "max_drop": 0.05},
            details={"metric": "roc_auc"},
            started_at=when,
            finished_at=when,
        ),
    ]
    cats = {"Basic": 600, "Pro": 400} if day == 8 else {"basic": 600, "pro": 400}
    profile = {
        "row_count": 1000 + day,
        "columns": {
            feature: _numeric(spend_counts, 50 + shift / 10),
            "plan": _categorical(cats),
        },
    }
    return RunReport(
        model=model,
        run_id=when.date().isoformat(),
        results=tuple(result),
        profile=profile,
        row_count=1000 + day,
        started_at=when,
        finished_at=when,
        model_version="v1",
        reference="baseline v1",
        source="test",
    )


def seed(store: Store, model: str = "churn", days: int = 12, **kw: Any) -> None:
    """A baseline and ``days`` daily runs of ``model``."""
    feature = kw.get("feature", "spend")
    store.save_baseline(
        model,
        "v1",
        profile={
            "row_count": 1000,
            "columns": {
                feature: _numeric([100, 300, 400, 150, 50], 50.0),
                "plan": _categorical({"basic": 600, "pro": 400}),
            },
        },
        metrics={"roc_auc": 0.81},
        row_count=1000,
        created_at=START - timedelta(days=1),
    )
    for day in range(1, days + 1):
        store.save_run(day_report(model, day, **kw))


def seed_incidents(store: Store, url: str, model: str = "churn") -> None:
    """One open and one resolved incident of ``model``, written as alerting would."""
    from modelhealth.store.alerting import IncidentRow
    from modelhealth.store.models import ModelRow

    engine = sa.create_engine(url)
    common = {"severity": "warning", "notifications": 1, "routes": {}}
    with engine.begin() as conn:
        model_id = conn.scalar(sa.select(ModelRow.id).where(ModelRow.name == model))
        conn.execute(
            sa.insert(IncidentRow),
            [
                {
                    **common,
                    "model_id": model_id,
                    "check_id": "feature-drift",
                    "subject": "spend",
                    "status": "open",
                    "opened_at": START + timedelta(days=6),
                    "resolved_at": None,
                    "last_seen_at": START + timedelta(days=11),
                    "first_run_id": "2026-03-07",
                    "last_run_id": "2026-03-12",
                    "runs_count": 6,
                },
                {
                    **common,
                    "model_id": model_id,
                    "check_id": "input-schema",
                    "subject": "plan",
                    "severity": "critical",
                    "status": "resolved",
                    "opened_at": START + timedelta(days=7),
                    "resolved_at": START + timedelta(days=8),
                    "last_seen_at": START + timedelta(days=7),
                    "first_run_id": "2026-03-08",
                    "last_run_id": "2026-03-08",
                    "runs_count": 1,
                },
            ],
        )
    engine.dispose()
