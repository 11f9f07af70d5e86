"""The scheduler: APScheduler jobs built from the rules, led by one process at a time.

This is the only module that imports APScheduler (pinned ``>=3.11,<4``: 4.0 is an
alpha with another API). For every model in the rules folders it keeps these jobs
in a persistent SQLAlchemy job store (table ``scheduler_jobs`` in the service
database), each naming its function by text with the model's name as argument, so
any process can reload them:

- ``run:<model>``: ``modelhealth.service.jobs:run_rule`` on ``schedule.cron`` or
``schedule.every``
  (only with ``sources.inputs`` or ``sources.query``);
- ``freshness:<model>``: ``modelhealth.service.jobs:check_freshness`` every
``freshness_every``
  seconds (only with ``schedule.expect_every``);
- ``labels:<model>``: ``modelhealth.service.jobs:attach_due_labels`` every
``labels_every``
  seconds (only with ``label.delay`` and ``sources.labels``).

Every trigger has an explicit timezone (``schedule.timezone``, UTC by default);
interval triggers count from a fixed origin (:data:`ORIGIN`), so their fire times
are the same in every process, and :func:`fired_at` tells a running job which fire
it runs for: a scheduled run's id is its fire time, so a fire run again (after a
failover or a restart) replaces the run it stored. Jobs
coalesce missed runs into one, are dropped when more than ``misfire_grace`` seconds
late, and never overlap themselves. :meth:`ServiceScheduler.sync` re-plans the jobs
whenever the rules change (the job's name holds a fingerprint of its trigger, so an
unchanged job keeps its next run time). Process-local jobs (polling the rules
folders, flushing the alert outbox, and the incident sweeps of
:mod:`modelhealth.service.sweeps`: ``local:silences`` tells what an ended silence
or maintenance window held back, ``local:stale`` closes stale incidents) live in a
memory job store.

Every job's outcome is recorded in the store (``job_status``: its last success,
its last failure and why), and the leader writes a heartbeat on each poll
(``scheduler_leader``), so ``GET /metrics`` on any replica shows each job's last
success and who leads.

:func:`run_scheduler` runs a :class:`ServiceScheduler` only
while its
process holds the leader lock.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from modelhealth.errors import StorageError
from modelhealth.rules.durations import parse_duration
from modelhealth.rules.models import RuleSet, Schedule
from modelhealth.run.outbox import flush
from modelhealth.service import jobs, leader, sweeps
from modelhealth.service.jobrefs import upgrade_job_refs
from modelhealth.service.rulesdir import RulesDir
from modelhealth.store import Store
from modelhealth.store.urls import resolve

__all__ = [
    "JOB_TABLE",
    "SchedulerOptions",
    "ServiceScheduler",
    "fire_time",
    "fired_at",
    "holder",
    "plan",
    "run_scheduler",
    "run_trigger",
]

log = logging.getLogger(__name__)

JOB_TABLE = "scheduler_jobs"
_DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun"]

ORIGIN = datetime(2000, 1, 1, tzinfo=timezone.utc)
"""Where interval schedules count from, so their fire times agree in every process."""

FIRE_LOOKBACK = timedelta(hours=1)
"""How far back a running scheduled job looks for the fire it runs for: longer
than the misfire grace, beyond which a late fire is skipped anyway."""


@dataclass(frozen=True)
class SchedulerOptions:
    """Knobs of the scheduler (seconds unless said otherwise).

    Attributes:
        freshness_every: how often each model's freshness is judged.
        labels_every: how often due labels are looked for.
        reload_every: how often the rules folders are polled (0: only on SIGHUP).
        outbox_every: how often undelivered alerts are retried.
        silences_every: how often incidents whose silence or maintenance window
            ended are looked for (and told).
        stale_every: how often stale incidents are looked for.
        misfire_grace: a job later than this is skipped until its next time.
        workers: jobs running at once.
        poll: how often a standby tries the leader lock (and a leader checks it).
    """

    freshness_every: float = 60.0
    labels_every: float = 600.0
    reload_every: float = 5.0
    outbox_every: float = 30.0
    silences_every: float = 30.0
    stale_every: float = 600.0
    misfire_grace: int = 300
    workers: int = 2
    poll: float = leader.POLL_SECONDS


def holder() -> str:
    """This process, as the job status and the leader's heartbeat name it."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class JobSpec:
    """One planned job: its id, function by text, trigger, and a fingerprint."""

    id: str
    func: str
    trigger: Any
    model: str
    fingerprint: str


def _day(text: str) -> int:
    return int(text) % 7 if text.isdigit() else _DAYS.index(text.lower()[:3])


def _dow(field: str) -> str:
    """Cron's day of week as APScheduler day names.

    Cron counts from Sunday (``0`` and ``7``), APScheduler from Monday, so numbers,
    ranges and steps are expanded into the days they mean in cron, by name.
    """
    if field == "*":
        return "*"
    days: set[int] = set()
    for token in field.split(","):
        base, _, step_text = token.partition("/")
        step = int(step_text) if step_text else 1
        if base == "*":
            first, last = 0, 6
        elif "-" in base:
            lo, hi = base.split("-")
            first, last = _day(lo), int(hi) if hi == "7" else _day(hi)
        else:
            first = _day(base)
            last = 6 if step_text else first
        days.update(d % 7 for d in range(first, last + 1, step))
    return ",".join(_DAYS[d] for d in sorted(days))


def _cron(expr: str, tz: str) -> CronTrigger | OrTrigger:
    """The trigger of a five-field cron expression in timezone ``tz``.

    Cron fires when the day of month *or* the day of week matches if both are
    restricted (``0 6 1 * mon``: the 1st and every Monday); APScheduler's
    ``CronTrigger`` would require both. Such an expression becomes the OR of two
    triggers, one per day field.
    """
    minute, hour, day, month, dow = expr.split()

    def trigger(day: str, dow: str) -> CronTrigger:
        return CronTrigger(
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=_dow(dow),
            timezone=tz,
        )

    if day != "*" and dow != "*":
        return OrTrigger([trigger(day, "*"), trigger("*", dow)])
    return trigger(day, dow)


def run_trigger(schedule: Schedule) -> Any:
    """The trigger of a model's scheduled runs (cron, else ``every``).

    Raises:
        ValueError: a cron APScheduler cannot express, or neither is set.
    """
    tz = schedule.timezone
    if schedule.cron:
        return _cron(schedule.cron, tz)
    if schedule.every:
        seconds = parse_duration(schedule.every).total_seconds()
        return IntervalTrigger(seconds=seconds, timezone=tz, start_date=ORIGIN)
    raise ValueError("the schedule has neither cron nor every")


def fire_time(trigger: Any, now: datetime, lookback: timedelta) -> datetime | None:
    """The latest time ``trigger`` fired at or before ``now``, within ``lookback``.

    Returns:
        That fire time, tz-aware in the trigger's timezone; ``None`` when it did
        not fire in the window (a job started by hand, far from any fire).
    """
    if isinstance(trigger, IntervalTrigger):  # no need to walk: count intervals
        step = trigger.interval
        fired = trigger.start_date + ((now - trigger.start_date) // step) * step
        return fired if now - fired <= lookback else None
    latest: datetime | None = None
    start = now - lookback
    fire: datetime | None = trigger.get_next_fire_time(None, start)
    while fire is not None and fire <= now:
        latest = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(microseconds=1))
    return latest


def fired_at(rule_set: RuleSet, now: datetime) -> datetime | None:
    """The fire time a scheduled run of ``rule_set`` running at ``now`` is for.

    The scheduler installs this in the jobs' context
    (:attr:`modelhealth.service.jobs.JobContext.fire_time`): the run id is the
    fire time, so a fire run again replaces the run it stored.
    """
    if rule_set.schedule is None:
        return None
    try:
        trigger = run_trigger(rule_set.schedule)
    except ValueError:
        return None
    return fire_time(trigger, now, FIRE_LOOKBACK)


def _spec(kind: str, func: str, model: str, trigger: Any, text: str) -> JobSpec:
    digest = hashlib.sha1(f"{func}|{text}".encode()).hexdigest()[:12]
    return JobSpec(f"{kind}:{model}", func, trigger, model, digest)


def plan(rule_sets: dict[str, RuleSet], options: SchedulerOptions) -> list[JobSpec]:
    """The jobs the rules ask for.

    Args:
        rule_sets: the rules in force, by model.
        options: the scheduler's knobs.

    Returns:
        One spec per job, in model order.
    """
    specs: list[JobSpec] = []
    for model, rs in sorted(rule_sets.items()):
        specs.extend(_safe_jobs(model, rs, options))
    return specs


def _safe_jobs(model: str, rs: RuleSet, options: SchedulerOptions) -> list[JobSpec]:
    try:
        return _model_jobs(model, rs, options)
    except ValueError as exc:  # a cron APScheduler cannot express
        log.error("no jobs for model %r: %s", model, exc)
        return []


def _model_jobs(model: str, rs: RuleSet, options: SchedulerOptions) -> list[JobSpec]:
    """The jobs of one model, from its ``schedule:``, ``sources:`` and ``label:``."""
    specs: list[JobSpec] = []
    schedule = rs.schedule
    tz = schedule.timezone if schedule else "UTC"
    has_data = rs.sources is not None and bool(rs.sources.inputs or rs.sources.query)
    if schedule is not None and has_data and (schedule.cron or schedule.every):
        if schedule.cron:
            text = f"cron {schedule.cron} {tz}"
        else:
            seconds = parse_duration(schedule.every or "").total_seconds()
            text = f"every {seconds} {tz}"
        trigger = run_trigger(schedule)
        specs.append(
            _spec("run", "modelhealth.service.jobs:run_rule", model, trigger, text)
        )
    if schedule is not None and schedule.expect_every:
        every = options.freshness_every
        specs.append(
            _spec(
                "freshness",
                "modelhealth.service.jobs:check_freshness",
                model,
                IntervalTrigger(seconds=every, timezone=tz),
                f"every {every} {tz}",
            )
        )
    labelled = rs.label is not None and rs.label.delay is not None
    if labelled and rs.sources is not None and rs.sources.labels:
        every = options.labels_every
        specs.append(
            _spec(
                "labels",
                "modelhealth.service.jobs:attach_due_labels",
                model,
                IntervalTrigger(seconds=every, timezone=tz),
                f"every {every} {tz}",
            )
        )
    return specs


class ServiceScheduler:
    """An APScheduler ``BackgroundScheduler`` kept in step with the rules.

    Args:
        store: the service's store (jobs read and write it).
        rules: the rules in force.
        db_url: the store's URL; the job store lives in the same database.
        options: the scheduler's knobs.
        report_url: the web report's base URL, for links in alerts.
    """

    def __init__(
        self,
        store: Store,
        rules: RulesDir,
        db_url: str,
        options: SchedulerOptions | None = None,
        report_url: str | None = None,
    ) -> None:
        self.options = options or SchedulerOptions()
        self.rules = rules
        self.store = store
        self._db_url = db_url
        self._report_url = report_url
        jobs.configure(jobs.JobContext(store, rules, report_url, fired_at))
        self._scheduler = BackgroundScheduler(
            jobstores={
                "default": SQLAlchemyJobStore(url=resolve(db_url), tablename=JOB_TABLE),
                "local": MemoryJobStore(),
            },
            executors={"default": ThreadPoolExecutor(self.options.workers)},
            job_defaults={
                "coalesce": True,
                "misfire_grace_time": self.options.misfire_grace,
                "max_instances": 1,
            },
            timezone="UTC",
        )
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start scheduling, with the jobs the rules ask for."""
        upgrade_job_refs(self._db_url, JOB_TABLE)
        self._scheduler.add_listener(
            self._on_job_event, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR
        )
        self._scheduler.start()
        self.sync()
        self.rules.subscribe(self._on_reload)
        if self.options.reload_every > 0:
            self._scheduler.add_job(
                self.rules.reload,
                IntervalTrigger(seconds=self.options.reload_every, timezone="UTC"),
                id="local:reload",
                jobstore="local",
            )
        self._scheduler.add_job(
            flush,
            IntervalTrigger(seconds=self.options.outbox_every, timezone="UTC"),
            args=[self.store],
            id="local:outbox",
            jobstore="local",
        )
        self._scheduler.add_job(
            sweeps.release_held,
            IntervalTrigger(seconds=self.options.silences_every, timezone="UTC"),
            args=[self.store, self.rules, self._report_url],
            id="local:silences",
            jobstore="local",
        )
        self._scheduler.add_job(
            sweeps.close_stale,
            IntervalTrigger(seconds=self.options.stale_every, timezone="UTC"),
            args=[self.store],
            id="local:stale",
            jobstore="local",
        )

    def _on_job_event(self, event: JobExecutionEvent) -> None:
        """Record a job's outcome (``job_status``) for ``GET /metrics``."""
        error = None if event.exception is None else repr(event.exception)
        try:
            self.store.record_job(
                event.job_id, ok=error is None, holder=holder(), error=error
            )
        except StorageError as exc:  # the store is down: the job's own log says more
            log.warning("job %s: outcome not recorded: %s", event.job_id, exc)

    def _on_reload(self, _: RulesDir) -> None:
        self.sync()

    def sync(self) -> list[str]:
        """Add, replace and remove stored jobs to match the rules.

        Returns:
            The ids of the jobs added or replaced.
        """
        with self._lock:
            wanted = {s.id: s for s in plan(self.rules.all(), self.options)}
            existing = {j.id: j for j in self._scheduler.get_jobs(jobstore="default")}
            changed = []
            for job_id, spec in wanted.items():
                job = existing.get(job_id)
                if job is not None and job.name == spec.fingerprint:
                    continue
                self._scheduler.add_job(
                    spec.func,
                    spec.trigger,
                    args=[spec.model],
                    id=job_id,
                    name=spec.fingerprint,
                    jobstore="default",
                    replace_existing=True,
                )
                changed.append(job_id)
            for job_id in set(existing) - set(wanted):
                self._scheduler.remove_job(job_id, jobstore="default")
            if changed or set(existing) - set(wanted):
                log.info("scheduler jobs: %s", ", ".join(sorted(wanted)) or "none")
            return changed

    def job_ids(self) -> list[str]:
        """The ids of the stored jobs."""
        return sorted(j.id for j in self._scheduler.get_jobs(jobstore="default"))

    def shutdown(self, *, wait: bool = True) -> None:
        """Stop; with ``wait``, running jobs finish first."""
        self.rules.unsubscribe(self._on_reload)
        if self._scheduler.running:
            self._scheduler.shutdown(wait=wait)
        jobs.configure(None)


def _beat(store: Store, me: str) -> None:
    try:
        store.beat(me)
    except StorageError as exc:  # leading goes on; the metric shows a stale beat
        log.warning("leader heartbeat not recorded: %s", exc)


def _step_down(store: Store, me: str) -> None:
    try:
        store.step_down(me)
    except StorageError as exc:
        log.warning("leader's step-down not recorded: %s", exc)


def run_scheduler(
    store: Store,
    rules: RulesDir,
    db_url: str,
    stop: threading.Event,
    *,
    options: SchedulerOptions | None = None,
    report_url: str | None = None,
    lock: leader.LeaderLock | None = None,
) -> None:
    """Lead or stand by until ``stop`` is set; schedule while leading.

    Args:
        store: the service's store.
        rules: the rules in force.
        db_url: the store's URL (for the job store and the leader lock).
        stop: set it (on SIGTERM) to end; running jobs finish first.
        options: the scheduler's knobs.
        report_url: the web report's base URL.
        lock: the leader lock; by default the one for ``db_url``.

    Raises:
        LeaderBusy: SQLite, and another scheduler holds the lock.
    """
    options = options or SchedulerOptions()
    lock = lock or leader.leader_lock(db_url)
    try:
        while not stop.is_set():
            if not lock.acquire():
                if not lock.waits and isinstance(lock, leader.FileLock):
                    raise leader.refuse(lock)
                log.info(
                    "standing by: %s is held by another scheduler", lock.describe()
                )
                stop.wait(options.poll)
                continue
            log.info("leading: holding %s", lock.describe())
            me = holder()
            _beat(store, me)
            scheduler = ServiceScheduler(store, rules, db_url, options, report_url)
            scheduler.start()
            try:
                while not stop.wait(options.poll) and lock.held():
                    _beat(store, me)
            finally:
                scheduler.shutdown(wait=True)
                _step_down(store, me)
    finally:
        lock.release()
