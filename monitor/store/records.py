"""What the store hands back: plain frozen dataclasses, never ORM objects.

Callers (runner, CLI, web report, HTTP API) read these and nothing else, so the
tables can change without touching them. Every datetime is tz-aware UTC. Statuses and
severities are their string values (``"failed"``, ``"critical"``), as stored. JSON
fields are plain ``dict``/``list`` values in which a non-finite number is ``None``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

from modelhealth.checks.base import CheckResult

__all__ = [
    "BaselineRecord",
    "HistoryPoint",
    "IncidentRecord",
    "ModelSummary",
    "OutboxRecord",
    "ResultRecord",
    "RunRecord",
    "SilenceRecord",
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
    """One stored check result (see :class:`modelhealth.checks.base.CheckResult`)."""

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

    def to_result(self) -> CheckResult:
        """The stored result back as a :class:`CheckResult` (missing numbers
        dropped), through :meth:`CheckResult.from_dict`."""
        return CheckResult.from_dict(asdict(self))


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


@dataclass(frozen=True)
class IncidentRecord:
    """One incident: a (model, check, subject) that went wrong, until it passes again.

    Attributes:
        id: the store's key for the incident.
        model: the model's name.
        check_id: the rule's check id.
        subject: the column or segment, or ``None`` for the whole dataset.
        severity: the check's severity when last seen (``"critical"``...).
        status: ``"open"``, ``"resolved"``, or ``"stale"`` (closed unresolved,
            see ``closed_because``).
        opened_at: when the first failing run finished.
        resolved_at: when the passing run that resolved it finished (or when it
            was closed as stale), or ``None``.
        last_seen_at: when a run last found it failing.
        first_run_id: the pipeline's id of the run that opened it.
        last_run_id: the pipeline's id of the run that last found it failing.
        runs_count: failing runs in a row so far.
        notifications: messages queued about it (opening and reminders).
        acked_by: who acknowledged it, or ``None``.
        acked_at: when it was acknowledged.
        acked_until: when the acknowledgement ends; ``None`` with ``acked_by``
            set: until it resolves.
        silenced_by: the id of the silence that holds its messages back now.
        maintenance: the rules' maintenance window that held it back in its
            latest run, if one did.
        closed_because: why it was closed as stale.
        value: the observed value of the result that last found it failing.
        message: that result's message.
    """

    id: int
    model: str
    check_id: str
    subject: str | None
    severity: str
    status: str
    opened_at: datetime
    resolved_at: datetime | None
    last_seen_at: datetime
    first_run_id: str
    last_run_id: str
    runs_count: int
    notifications: int
    acked_by: str | None = None
    acked_at: datetime | None = None
    acked_until: datetime | None = None
    silenced_by: int | None = None
    maintenance: str | None = None
    closed_because: str | None = None
    value: float | None = None
    message: str = ""

    @property
    def acknowledged(self) -> bool:
        """Whether an acknowledgement holds now."""
        if self.acked_by is None or self.status != "open":
            return False
        return self.acked_until is None or datetime.now(timezone.utc) < self.acked_until


@dataclass(frozen=True)
class SilenceRecord:
    """A silence: incidents it matches send no messages while it holds.

    Attributes:
        id: the store's key for it.
        model: the model it covers.
        check_id: the check id or pattern, or ``None`` for every check.
        subject: the subject or pattern, or ``None`` for every subject.
        severities: the severities it covers; empty: all.
        starts_at: when it begins.
        ends_at: when it ends (moved to the moment it was ended early).
        reason: why.
        created_by: who made it.
        created_at: when it was made.
    """

    id: int
    model: str
    check_id: str | None
    subject: str | None
    severities: tuple[str, ...]
    starts_at: datetime
    ends_at: datetime
    reason: str
    created_by: str
    created_at: datetime


@dataclass(frozen=True)
class OutboxRecord:
    """One message waiting in (or delivered from) the alert outbox.

    Attributes:
        id: the store's key, also the sending order.
        key: the idempotency key receivers can dedupe on (a UUID).
        model: the model's name.
        run_id: the pipeline's id of the run it is about (``None`` for tests).
        channel: the channel name (``slack``, ``webhook``...).
        kind: ``problem``, ``reminder``, ``resolved`` or ``test``.
        status: ``"pending"`` or ``"delivered"``.
        attempts: sending attempts so far.
        created_at: when it was queued (in the run's transaction).
        next_attempt_at: when the sender may try it next.
        delivered_at: when a channel accepted it, or ``None``.
        last_error: why the last attempt failed, or ``None``.
        route: the route's settings as written (env var names, never secrets).
        alert: the message's content as JSON (see
        ``modelhealth.alerts.base.Alert.to_dict``).
        parent_id: the message this one replies to (a resolution's opening message).
        response: what the channel said about the sent message (Slack ``ts``...).
    """

    id: int
    key: str
    model: str
    run_id: str | None
    channel: str
    kind: str
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    delivered_at: datetime | None
    last_error: str | None
    route: dict[str, Any]
    alert: dict[str, Any]
    parent_id: int | None
    response: dict[str, Any]
