"""``GET /metrics``: the latest health of every model in Prometheus text format.

Existing Grafana dashboards and Alertmanager rules can scrape it. The numbers come
from the store at scrape time (no counters live in the process, so every replica
answers the same):

- ``modelhealth_run_last_timestamp_seconds{model}``: when the model's latest run
  finished (Unix time); alert on ``time() - ... > 26*3600`` for staleness.
- ``modelhealth_run_status{model}``: the latest run's status as a code.
- ``modelhealth_runs{model}``: stored runs.
- ``modelhealth_check_status{model,check,kind,subject}``: each check's latest status
  as a code: 0 passed, 1 skipped, 2 warned, 3 errored, 4 failed (the order of
  :data:`modelhealth.rules.models.STATUS_ORDER`, so ``>= 3`` means "needs a look").
- ``modelhealth_check_last_run_timestamp_seconds{model,check,kind,subject}``.
- ``modelhealth_check_value{model,check,kind,subject}``: the observed value (a drift
  score, a metric...) where the check has one.
- ``modelhealth_check_metric{model,check,kind,subject,metric}``: every other number
  the check stored (``psi``, ``ks_pvalue``...).

A check's "latest" result is the one in the model's latest regular run; the
scheduler's freshness verdict (its own runs, ``freshness@...``) is added on top.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import PlainTextResponse

from modelhealth.rules.models import STATUS_ORDER
from modelhealth.store import ResultRecord, RunRecord, Store
from modelhealth.web.auth import require_read

__all__ = ["FRESHNESS_PREFIX", "render", "router"]

FRESHNESS_PREFIX = "freshness@"
"""Run ids of the scheduler's freshness verdicts start with this."""

router = APIRouter()

_HELP = {
    "modelhealth_run_last_timestamp_seconds": "When the model's latest run finished.",
    "modelhealth_run_status": "Latest run status: 0 passed .. 4 failed.",
    "modelhealth_runs": "Stored runs of the model.",
    "modelhealth_check_status": "Latest check status: 0 passed, 1 skipped, "
    "2 warned, 3 errored, 4 failed.",
    "modelhealth_check_last_run_timestamp_seconds": "When the check last ran.",
    "modelhealth_check_value": "The check's latest observed value.",
    "modelhealth_check_metric": "Further numbers of the check's latest result.",
}


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(**labels: str | None) -> str:
    inner = ",".join(f'{k}="{_escape(v or "")}"' for k, v in labels.items())
    return "{" + inner + "}"


def _code(status: str | None) -> int:
    return STATUS_ORDER.index(status) if status in STATUS_ORDER else -1


def _ts(at: datetime) -> str:
    return repr(at.timestamp())


def _num(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value))


def _latest_regular(store: Store, model: str) -> RunRecord | None:
    return store.latest_run(model, without_prefix=FRESHNESS_PREFIX)


def _latest_freshness(store: Store, model: str) -> RunRecord | None:
    # however many ordinary runs came since, the last verdict still holds
    return store.latest_run(model, prefix=FRESHNESS_PREFIX)


def _check_lines(
    model: str, run: RunRecord, r: ResultRecord
) -> Iterable[tuple[str, str]]:
    labels = {"model": model, "check": r.check_id, "kind": r.kind, "subject": r.subject}
    yield "modelhealth_check_status", f"{_labels(**labels)} {_code(r.status)}"
    yield (
        "modelhealth_check_last_run_timestamp_seconds",
        f"{_labels(**labels)} {_ts(run.finished_at)}",
    )
    if r.value is not None:
        yield "modelhealth_check_value", f"{_labels(**labels)} {_num(r.value)}"
    for name, value in sorted(r.metrics.items()):
        if value is not None:
            yield (
                "modelhealth_check_metric",
                f"{_labels(**labels, metric=name)} {_num(value)}",
            )


def render(store: Store) -> str:
    """The exposition text for every model in the store.

    Args:
        store: where the runs are.

    Returns:
        Prometheus text format 0.0.4.
    """
    series: dict[str, list[str]] = {name: [] for name in _HELP}
    for summary in store.models():
        model = summary.name
        series["modelhealth_runs"].append(f"{_labels(model=model)} {summary.runs}")
        run = _latest_regular(store, model)
        fresh = _latest_freshness(store, model)
        if run is not None:
            series["modelhealth_run_last_timestamp_seconds"].append(
                f"{_labels(model=model)} {_ts(run.finished_at)}"
            )
            series["modelhealth_run_status"].append(
                f"{_labels(model=model)} {_code(run.status)}"
            )
        for source in (run, fresh):
            if source is None:
                continue
            for result in source.results:
                for name, line in _check_lines(model, source, result):
                    series[name].append(line)
    out: list[str] = []
    for name, lines in series.items():
        out.append(f"# HELP {name} {_HELP[name]}")
        out.append(f"# TYPE {name} gauge")
        out.extend(f"{name}{line}" for line in lines)
    return "\n".join(out) + "\n"


@router.get(
    "/metrics",
    response_class=PlainTextResponse,
    dependencies=[Depends(require_read)],
    summary="Prometheus metrics",
)
def metrics(request: Request) -> PlainTextResponse:
    """The latest health of every model, in Prometheus text format."""
    text = render(request.app.state.store)
    return PlainTextResponse(text, media_type="text/plain; version=0.0.4")
