"""What the store hands back: plain frozen dataclasses, never ORM objects.

Callers (runner, CLI, web report, HTTP API) read these and nothing else, so the
tables can change without touching them. Every datetime is tz-aware UTC. Statuses and
severities are their string values (``"failed"``, ``"critical"``), as stored. JSON
fields are plain ``dict``/``list`` values in which a non-finite number is ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = [
    "BaselineRecord",
    "HistoryPoint",
    "ModelSummary",
    "ResultRecord",
    "RunRecord",
]


@dataclass(frozen=True)
class BaselineRecord:
    """A model version's reference: its data profile and pre-deployment metrics.

    Attributes:
        model: the model's name.
        version: the model version the baseline belongs to.
        created_at: when it was registered.
        row_count: rows of the reference data.
        metrics: pre-deployment metrics (``{"roc_auc": 0.81}``); a metric saved
            as NaN or infinite is left out.
        profile: ``{"row_count": int, "columns": {...}}``; empty in listings.
        details: JSON-able extras given at registration.
    """

    model: str
    version: str
    created_at: datetime
    row_count: int
    metrics: dict[str, float]
    profile: dict[str, Any]
    details: dict[str, Any]


@dataclass(frozen=True)
class ResultRecord:
    """One stored check result (see :class:`checks.base.CheckResult`)."""

    check_id: str
    kind: str
    subject: str | None
    status: str
    severity: str
    value: float | None
    threshold: dict[str, float | None]
    metrics: dict[str, float | None]
    details: dict[str, Any]
    failures: list[dict[str, Any]]
    message: str
    started_at: datetime
    finished_at: datetime


@dataclass(frozen=True)
class RunRecord:
    """One stored run.

    Attributes:
        pk: the store's key for the run (for URLs and :meth:`Store.results`).
        run_id: the pipeline's id for the run.
        status: the worst status of its results.
        counts: number of results per status.
        results: the results in check order; empty when listed by ``Store.runs``.
    """

    pk: int
    model: str
    run_id: str
    model_version: str | None
    status: str
    row_count: int
    started_at: datetime
    finished_at: datetime
    source: str
    reference: str | None
    counts: dict[str, int]
    details: dict[str, Any]
    results: tuple[ResultRecord, ...] = field(default=())


@dataclass(frozen=True)
class HistoryPoint:
    """One check's outcome on one subject in one run, for charts."""

    run_id: str
    finished_at: datetime
    subject: str | None
    status: str
    value: float | None


@dataclass(frozen=True)
class ModelSummary:
    """A model and its latest run (``None`` fields while it has no runs)."""

    name: str
    runs: int
    last_run_at: datetime | None
    last_status: str | None
    last_run_id: str | None
