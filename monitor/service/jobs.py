"""What the scheduler's jobs do: scheduled runs, freshness, delayed labels.

Each job is a plain function named by text (``"modelhealth.service.jobs:run_rule"``)
with the
model's name as its only argument, so the persistent job store can reload it in
another process. The functions find the service's store and rules through the
:class:`JobContext` that :func:`configure` installs when the scheduler starts.

- :func:`run_rule`: reads the model's ``sources:`` (path templates or an SQL query)
  for this run and checks it with the same runner as the post-run hook. The run id
  is the fire time in the schedule's timezone (``2026-03-01T06:00:00+01:00``), not
  the time the job happens to run (:func:`modelhealth.service.scheduler.fired_at`):
  a fire run again after a failover or a restart replaces the run it stored. A
  source that is missing or unreadable gives a stored run with one ``errored``
  result (check id ``sources``), which alerts like any other; the job returns
  normally so the scheduler keeps going.
- :func:`check_freshness`: with ``schedule.expect_every``, compares the newest
  regular run's finish time with now. When overdue it stores a **freshness verdict**:
  a run ``freshness@<UTC time>`` (source ``scheduler``, no rows) holding one
  ``failed`` result (check id and kind ``freshness``, subject ``None``). The verdict
  goes through the runner's store-and-alert path, so it opens an incident and
  notifies. When a run has arrived since, a ``passed`` verdict is stored, which
  resolves the incident. Verdicts are stored only when the state changes.
- :func:`attach_due_labels`: for ``label.delay`` and ``sources.labels``, finds the
  stored runs older than the delay whose post-deployment ``metric`` results are still
  all ``skipped``, reads their labels (path template filled from the run) and hands
  them to :func:`modelhealth.run.labels.attach_labels`, which joins them to the run's
  stored
  predictions, evaluates and attaches the results to that run.

How sources are read (path templates, SQL queries) is
:mod:`modelhealth.service.sources`.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from modelhealth import config
from modelhealth.checks.base import CheckResult, Status, utcnow
from modelhealth.checks.freshness import age_text
from modelhealth.checks.metric import metric_checks
from modelhealth.engine import inputs
from modelhealth.errors import DataError, MonitorError
from modelhealth.report import RunReport
from modelhealth.rules.durations import parse_duration
from modelhealth.rules.models import RuleSet, Severity
from modelhealth.run import runner
from modelhealth.run.labels import attach_labels
from modelhealth.run.request import RunRequest, check
from modelhealth.service.sources import fields, fill, load_sources

if TYPE_CHECKING:
    from modelhealth.service.rulesdir import RulesDir
    from modelhealth.store import RunRecord, Store

__all__ = [
    "FRESHNESS_PREFIX",
    "JobContext",
    "attach_due_labels",
    "check_freshness",
    "configure",
    "run_rule",
]

log = logging.getLogger(__name__)

FRESHNESS_PREFIX = "freshness@"


"""Run ids of the freshness verdicts start with this."""

LABEL_LOOKBACK = timedelta(days=14)
"""How long after it is due a run's labels are still looked for."""


@dataclass(frozen=True)
class JobContext:
    """What jobs need: the store, the rules in force, and a report link base."""

    store: Store
    rules: RulesDir
    report_url: str | None = None
    fire_time: Callable[[RuleSet, datetime], datetime | None] | None = None
    """The fire time a scheduled run is for (the scheduler's triggers)."""


_context: JobContext | None = None


def configure(context: JobContext | None) -> None:
    """Install (or with ``None``, remove) the context jobs run in."""
    global _context
    _context = context


def _ctx() -> JobContext:
    if _context is None:
        raise RuntimeError(
            "modelhealth.service.jobs is not configured; jobs run inside "
            "'modelhealth scheduler' or 'modelhealth serve'"
        )
    return _context


def _rules(model: str) -> RuleSet | None:
    rule_set = _ctx().rules.get(model)
    if rule_set is None:
        log.warning("no rules for model %r any more; its job does nothing", model)
    return rule_set


def _link(model: str, run_id: str) -> str | None:
    return config.report_link(model, run_id, base=_ctx().report_url)


def _severity(rule_set: RuleSet, kind: str | None = None) -> Severity:
    picked = [c.severity for c in rule_set.checks if kind is None or c.kind == kind]
    return max(picked, key=lambda s: s.rank, default=Severity.WARNING)


def _publish(report: RunReport, rule_set: RuleSet) -> RunReport:
    """Store a report made here with its incidents and alerts, as the runner does."""
    link = _link(report.model, report.run_id)
    return runner.publish(report, rule_set, store=_ctx().store, report_url=link)


def _verdict(
    rule_set: RuleSet, run_id: str, result: CheckResult, details: dict[str, Any]
) -> RunReport:
    now = result.finished_at
    return RunReport(
        model=rule_set.model,
        run_id=run_id,
        results=(result,),
        profile={},
        row_count=0,
        started_at=result.started_at,
        finished_at=now,
        source="scheduler",
        details={**details, "scheduled_by": f"{socket.gethostname()}:{os.getpid()}"},
    )


def _fired(rule_set: RuleSet, now: datetime) -> datetime:
    """The fire time this run is for (its run id); ``now`` off the schedule."""
    find = _ctx().fire_time
    return (find(rule_set, now) if find is not None else None) or now


def run_rule(model: str) -> RunReport | None:
    """A scheduled run of ``model``: read its sources and check them.

    Returns:
        The stored report (an ``errored`` one when the sources could not be read),
        or ``None`` when the model has no rules any more.
    """
    rule_set = _rules(model)
    if rule_set is None:
        return None
    now = utcnow()
    tz = rule_set.schedule.timezone if rule_set.schedule else "UTC"
    fired = _fired(rule_set, now)
    run_id = fired.astimezone(ZoneInfo(tz)).isoformat(timespec="seconds")
    values = fields(model, run_id, fired, tz)
    by = f"{socket.gethostname()}:{os.getpid()}"
    try:
        frame = load_sources(rule_set, values)
    except DataError as exc:
        log.warning("scheduled run %s of %r not checked: %s", run_id, model, exc)
        result = CheckResult(
            check_id="sources",
            kind="sources",
            subject=None,
            status=Status.ERRORED,
            severity=_severity(rule_set),
            message=f"the scheduled run could not read its data: {exc}",
            started_at=now,
        )
        return _publish(
            _verdict(
                rule_set, run_id, result, {"verdict": "sources", "error": str(exc)}
            ),
            rule_set,
        )
    run = RunRequest(
        rule_set=rule_set,
        run_id=run_id,
        inputs=frame,
        source="scheduler",
        details={"scheduled_by": by, **values},
        now=now,
        report_base=_ctx().report_url,
    )
    return check(run, store=_ctx().store)


def _latest(store: Store, model: str, *, freshness: bool) -> RunRecord | None:
    """The newest freshness verdict, or the newest run that brought data (neither
    a verdict nor a scheduled run whose sources could not be read)."""
    if freshness:
        return store.latest_run(model, prefix=FRESHNESS_PREFIX)
    for run in store.runs(model, limit=100):
        if not run.details.get("verdict"):
            return run
    return None


def _age(delta: timedelta) -> str:
    return age_text(delta)


def check_freshness(model: str) -> RunReport | None:
    """Store a freshness verdict for ``model`` when its state changed.

    Returns:
        The verdict stored now, or ``None`` when nothing changed.
    """
    rule_set = _rules(model)
    if rule_set is None or rule_set.schedule is None:
        return None
    if rule_set.schedule.expect_every is None:
        return None
    expect = parse_duration(rule_set.schedule.expect_every)
    store = _ctx().store
    last = _latest(store, model, freshness=False)
    if last is None:
        log.info("model %r has no run yet; freshness is judged from its first", model)
        return None
    verdict = _latest(store, model, freshness=True)
    was_failing = verdict is not None and verdict.status == Status.FAILED.value
    now = utcnow()
    age = now - last.finished_at
    overdue = age > expect
    if overdue == was_failing:
        return None
    if overdue:
        message = (
            f"no run of model {model!r} for {_age(age)} (the last, "
            f"{last.run_id!r}, finished {last.finished_at:%Y-%m-%d %H:%M} UTC); "
            f"one is expected every {rule_set.schedule.expect_every}"
        )
    else:
        message = f"run {last.run_id!r} arrived; model {model!r} is fresh again"
    result = CheckResult(
        check_id="freshness",
        kind="freshness",
        subject=None,
        status=Status.FAILED if overdue else Status.PASSED,
        severity=_severity(rule_set, "freshness")
        if any(c.kind == "freshness" for c in rule_set.checks)
        else Severity.WARNING,
        value=age.total_seconds(),
        threshold={"fail": expect.total_seconds()},
        metrics={"age_seconds": age.total_seconds()},
        details={
            "last_run_id": last.run_id,
            "expect_every": rule_set.schedule.expect_every,
        },
        message=message,
        started_at=now,
        finished_at=now,
    )
    stamp = now.astimezone(timezone.utc).isoformat(timespec="milliseconds")
    run_id = FRESHNESS_PREFIX + stamp.replace("+00:00", "Z")
    return _publish(
        _verdict(rule_set, run_id, result, {"verdict": "freshness"}), rule_set
    )


def _post_deployment_ids(rule_set: RuleSet) -> set[str]:
    # enabled checks only: a disabled check's skipped result is no sign of labels due
    return {c.id for c in metric_checks(rule_set, "post_deployment")}


def attach_due_labels(model: str) -> list[RunReport]:
    """Attach labels to each of ``model``'s runs whose labels are due.

    Returns:
        The reports of the runs that got their labels now.
    """
    rule_set = _rules(model)
    if rule_set is None or rule_set.label is None or rule_set.label.delay is None:
        return []
    template = rule_set.sources.labels if rule_set.sources else None
    wanted = _post_deployment_ids(rule_set)
    if not template or not wanted:
        return []
    delay = parse_duration(rule_set.label.delay)
    now = utcnow()
    store = _ctx().store
    tz = rule_set.schedule.timezone if rule_set.schedule else "UTC"
    done: list[RunReport] = []
    due = store.runs(model, since=now - delay - LABEL_LOOKBACK, until=now - delay)
    for listed in due:
        run = None if listed.details.get("verdict") else store.run(model, listed.run_id)
        if run is None:
            continue
        ours = [r for r in run.results if r.check_id in wanted]
        if not ours or any(r.status != Status.SKIPPED.value for r in ours):
            continue  # labelled already, or checked before the rules had the check
        values = fields(model, run.run_id, run.started_at, tz)
        report = _attach(rule_set, run, template, values, attach_labels)
        if report is not None:
            done.append(report)
    return done


def _attach(
    rule_set: RuleSet,
    run: RunRecord,
    template: str,
    values: dict[str, str],
    attach: Any,
) -> RunReport | None:
    try:
        frame = inputs.read_frame(fill(template, values), what="labels")
    except DataError as exc:
        log.warning("labels of run %r not attached yet: %s", run.run_id, exc)
        return None
    key = rule_set.label.key if rule_set.label else None
    try:
        report: RunReport = attach(
            rules=rule_set, run_id=run.run_id, labels=frame, key=key, db=_ctx().store
        )
    except MonitorError as exc:
        log.warning("labels of run %r could not be attached: %s", run.run_id, exc)
        return None
    log.info("labels attached to run %r of model %r", run.run_id, rule_set.model)
    return report
