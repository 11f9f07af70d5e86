"""``GET /metrics``: every model's health and the alerting queue, for Prometheus.

Existing Grafana dashboards and Alertmanager rules can scrape it. The numbers come
from the store at scrape time through a ``prometheus_client`` custom collector (no
counters live in the process, so every replica answers the same); prometheus_client
does the escaping, and answers OpenMetrics to a scraper that asks for it:

- ``modelhealth_run_last_timestamp_seconds{model}``: when the model's latest run
  finished (Unix time); alert on ``time() - ... > 26*3600`` for staleness.
- ``modelhealth_run_status{model}``: the latest run's status as a code.
- ``modelhealth_runs{model}``: stored runs.
- ``modelhealth_check_status{model,check,kind,subject,severity}``: each check's
  latest status as a code: 0 passed, 1 skipped, 2 warned, 3 errored, 4 failed (the
  order of :data:`modelhealth.rules.models.STATUS_ORDER`, so ``>= 3`` means "needs a
  look").
- ``modelhealth_check_last_run_timestamp_seconds{model,check,kind,subject}``.
- ``modelhealth_check_value{model,check,kind,subject}``: the observed value (a drift
  score, a metric...) where the check has one, and
  ``modelhealth_check_threshold{model,check,kind,subject,level}`` its ``warn`` and
  ``fail`` levels beside it.
- ``modelhealth_check_metric{model,check,kind,subject,metric}``: every other number
  the check stored (``psi``, ``ks_pvalue``...).
- ``modelhealth_incidents_open{model,severity}``, and of those
  ``modelhealth_incidents_acknowledged`` and ``modelhealth_incidents_silenced``.
- ``modelhealth_outbox_pending{channel}``: messages waiting to be delivered;
  ``modelhealth_outbox_failing{channel}``: those whose last attempt failed;
  ``modelhealth_outbox_failed_attempts{channel}``: their failed attempts;
  ``modelhealth_outbox_oldest_pending_age_seconds``: how long the oldest has waited
  (0 when none waits).
- ``modelhealth_job_last_success_timestamp_seconds{job}``: when each scheduler job
  (``run:churn``, ``freshness:churn``, ``local:outbox``...) last ended normally,
  and ``modelhealth_job_last_failure_timestamp_seconds{job}`` when it last raised;
  alert on ``time() - ... > 3 * interval``.
- ``modelhealth_scheduler_leader{holder}``: 1 for the process (``host:pid``) that
  leads the scheduler, 0 once its heartbeat is older than
  :data:`LEADER_STALE_SECONDS` (it died without stepping down); absent when no
  scheduler leads. ``modelhealth_scheduler_leader_heartbeat_timestamp_seconds``
  is its latest heartbeat.

A check's "latest" result is the one in the model's latest regular run; the
scheduler's freshness verdict (its own runs, ``freshness@...``) is added on top.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime, timezone

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector, CollectorRegistry

from modelhealth.rules.models import STATUS_ORDER
from modelhealth.store import ResultRecord, RunRecord, Store
from modelhealth.web.auth import require_read

__all__ = [
    "FRESHNESS_PREFIX",
    "LEADER_STALE_SECONDS",
    "StoreCollector",
    "render",
    "router",
]

FRESHNESS_PREFIX = "freshness@"
"""Run ids of the scheduler's freshness verdicts start with this."""

LEADER_STALE_SECONDS = 60.0
"""A leader whose heartbeat is older than this no longer counts as leading (it
beats every few seconds, :data:`modelhealth.service.leader.POLL_SECONDS`)."""

router = APIRouter()
_CHECK = ["model", "check", "kind", "subject"]


def _code(status: str | None) -> int:
    return STATUS_ORDER.index(status) if status in STATUS_ORDER else -1


def _gauges() -> dict[str, GaugeMetricFamily]:
    specs = [
        ("run_last_timestamp_seconds", "When the model's latest run ended.", ["model"]),
        ("run_status", "Latest run status: 0 passed .. 4 failed.", ["model"]),
        ("runs", "Stored runs of the model.", ["model"]),
        ("check_status", "Latest check status: 0 passed, 1 skipped, 2 warned, "
         "3 errored, 4 failed.", [*_CHECK, "severity"]),
        ("check_last_run_timestamp_seconds", "When the check last ran.", _CHECK),
        ("check_value", "The check's latest observed value.", _CHECK),
        ("check_threshold", "The check's warn and fail levels.", [*_CHECK, "level"]),
        ("check_metric", "Further numbers of the check's latest result.",
         [*_CHECK, "metric"]),
        ("incidents_open", "Open incidents.", ["model", "severity"]),
        ("incidents_acknowledged", "Open incidents someone acknowledged.",
         ["model", "severity"]),
        ("incidents_silenced", "Open incidents a silence holds back.",
         ["model", "severity"]),
        ("outbox_pending", "Alert messages waiting to be delivered.", ["channel"]),
        ("outbox_failing", "Waiting messages whose last attempt failed.", ["channel"]),
        ("outbox_failed_attempts", "Failed attempts of the waiting messages.",
         ["channel"]),
        ("outbox_oldest_pending_age_seconds", "How long the oldest waiting message "
         "has waited.", []),
        ("job_last_success_timestamp_seconds", "When the scheduler job last ended "
         "normally.", ["job"]),
        ("job_last_failure_timestamp_seconds", "When the scheduler job last "
         "raised.", ["job"]),
        ("scheduler_leader", "1 for the process leading the scheduler.", ["holder"]),
        ("scheduler_leader_heartbeat_timestamp_seconds", "When the leader last "
         "said it leads.", ["holder"]),
    ]  # fmt: skip
    return {
        name: GaugeMetricFamily(f"modelhealth_{name}", text, labels=labels)
        for name, text, labels in specs
    }


def _check(
    g: dict[str, GaugeMetricFamily], model: str, run: RunRecord, r: ResultRecord
) -> None:
    labels = [model, r.check_id, r.kind, r.subject or ""]
    g["check_status"].add_metric([*labels, r.severity], _code(r.status))
    g["check_last_run_timestamp_seconds"].add_metric(
        labels, run.finished_at.timestamp()
    )
    if r.value is not None:
        g["check_value"].add_metric(labels, r.value)
    for level in ("warn", "fail"):
        value = r.threshold.get(level)
        if value is not None and not math.isnan(value):
            g["check_threshold"].add_metric([*labels, level], value)
    for name, value in sorted(r.metrics.items()):
        if value is not None:
            g["check_metric"].add_metric([*labels, name], value)


def _scheduler(g: dict[str, GaugeMetricFamily], store: Store, now: datetime) -> None:
    for job in store.job_statuses():
        if job.last_success_at is not None:
            g["job_last_success_timestamp_seconds"].add_metric(
                [job.job_id], job.last_success_at.timestamp()
            )
        if job.last_failure_at is not None:
            g["job_last_failure_timestamp_seconds"].add_metric(
                [job.job_id], job.last_failure_at.timestamp()
            )
    lead = store.leader()
    if lead is not None:
        fresh = (now - lead.heartbeat_at).total_seconds() <= LEADER_STALE_SECONDS
        g["scheduler_leader"].add_metric([lead.holder], 1 if fresh else 0)
        g["scheduler_leader_heartbeat_timestamp_seconds"].add_metric(
            [lead.holder], lead.heartbeat_at.timestamp()
        )


class StoreCollector(Collector):
    """Reads the store on every ``collect``."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def collect(self) -> Iterator[Metric]:
        store, g = self._store, _gauges()
        for summary in store.models():
            model = summary.name
            g["runs"].add_metric([model], summary.runs)
            run = store.latest_run(model, without_prefix=FRESHNESS_PREFIX)
            # however many ordinary runs came since, the last verdict still holds
            fresh = store.latest_run(model, prefix=FRESHNESS_PREFIX)
            if run is not None:
                g["run_last_timestamp_seconds"].add_metric(
                    [model], run.finished_at.timestamp()
                )
                g["run_status"].add_metric([model], _code(run.status))
            for source in [r for r in (run, fresh) if r is not None]:
                for result in source.results:
                    _check(g, model, source, result)
        now = datetime.now(timezone.utc)
        for model, severity, n, acked, silenced in store.open_incident_counts(now):
            g["incidents_open"].add_metric([model, severity], n)
            g["incidents_acknowledged"].add_metric([model, severity], acked)
            g["incidents_silenced"].add_metric([model, severity], silenced)
        oldest: datetime | None = None
        for channel, n, failing, attempts, first in store.outbox_health():
            g["outbox_pending"].add_metric([channel], n)
            g["outbox_failing"].add_metric([channel], failing)
            g["outbox_failed_attempts"].add_metric([channel], attempts)
            oldest = first if oldest is None or (first and first < oldest) else oldest
        age = 0.0 if oldest is None else max((now - oldest).total_seconds(), 0.0)
        g["outbox_oldest_pending_age_seconds"].add_metric([], age)
        _scheduler(g, store, now)
        yield from g.values()


def render(store: Store, accept: str | None = None) -> tuple[bytes, str]:
    """The exposition of every model and the outbox.

    Args:
        store: where the runs are.
        accept: the scraper's ``Accept`` header (OpenMetrics when it asks).

    Returns:
        The body and its content type.
    """
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StoreCollector(store))
    encoder, content_type = choose_encoder(accept or "")
    return encoder(registry), content_type


@router.get(
    "/metrics",
    response_class=Response,
    dependencies=[Depends(require_read)],
    summary="Prometheus metrics",
)
def metrics(request: Request) -> Response:
    """The latest health of every model and the alert queue, for Prometheus."""
    body, content_type = render(request.app.state.store, request.headers.get("accept"))
    return Response(body, media_type=content_type)
