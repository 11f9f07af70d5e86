"""The scheduler: APScheduler jobs built from the rules, led by one process at a time.

This is the only module that imports APScheduler (pinned ``>=3.11,<4``: 4.0 is an
alpha with another API). The jobs the rules ask for
(:func:`modelhealth.service.jobplan.plan`: each model's runs, freshness checks and
late labels) live in a persistent SQLAlchemy job store (table ``scheduler_jobs`` in
the service database), so any process can reload them; here each timing becomes its
trigger, with its explicit timezone. :func:`fired_at` tells a running job which fire
it runs for: a scheduled run's id is its fire time, so a fire run again (after a
failover or a restart) replaces the run it stored. Jobs coalesce missed runs into
one, are dropped when more than ``misfire_grace`` seconds late, and never overlap
themselves. :meth:`ServiceScheduler.sync` re-plans the jobs whenever the rules
change (the job's name holds a fingerprint of its trigger, so an unchanged job keeps
its next run time). Process-local jobs (polling the rules folders, flushing the
alert outbox, and the incident sweeps of :mod:`modelhealth.service.sweeps`:
``local:silences`` tells what an ended silence or maintenance window held back,
``local:stale`` closes stale incidents) live in a memory job store.

Every job's outcome and the leader's heartbeat are recorded for ``GET /metrics``
(:mod:`modelhealth.service.jobstatus`).

:func:`run_scheduler` runs a :class:`ServiceScheduler` only while its process holds
the leader lock.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from modelhealth.rules.models import RuleSet, Schedule
from modelhealth.run.outbox import flush
from modelhealth.service import jobplan, jobs, jobstatus, leader, sweeps
from modelhealth.service.cronfields import field_sets
from modelhealth.service.jobplan import Cron, JobSpec, Timing, run_timing
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
    "plan",
    "run_scheduler",
    "run_trigger",
]

log = logging.getLogger(__name__)

JOB_TABLE = "scheduler_jobs"

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


def _cron(expr: str, tz: str) -> CronTrigger | OrTrigger:
    """The trigger of a five-field cron expression in timezone ``tz``: the OR of
    two when both day fields are restricted
    (:func:`~modelhealth.service.cronfields.field_sets`)."""
    triggers = [CronTrigger(**fields, timezone=tz) for fields in field_sets(expr)]
    return triggers[0] if len(triggers) == 1 else OrTrigger(triggers)


def _trigger(timing: Timing) -> Any:
    """The APScheduler trigger of a job's timing."""
    if isinstance(timing, Cron):
        return _cron(timing.expr, timing.timezone)
    return IntervalTrigger(
        seconds=timing.seconds, timezone=timing.timezone, start_date=timing.start
    )


def run_trigger(schedule: Schedule) -> Any:
    """The trigger of a model's scheduled runs (cron, else ``every``).

    Raises:
        ValueError: a cron APScheduler cannot express, or neither is set.
    """
    return _trigger(run_timing(schedule))


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


def plan(rule_sets: dict[str, RuleSet], options: SchedulerOptions) -> list[JobSpec]:
    """The jobs the rules ask for (:func:`modelhealth.service.jobplan.plan`), each
    with its APScheduler trigger.

    Args:
        rule_sets: the rules in force, by model.
        options: the scheduler's knobs.

    Returns:
        One spec per job, in model order.
    """
    return jobplan.plan(
        rule_sets,
        _trigger,
        freshness_every=options.freshness_every,
        labels_every=options.labels_every,
    )


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
        jobstatus.record_outcome(self.store, event.job_id, error)

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
            me = jobstatus.holder()
            jobstatus.beat(store, me)
            scheduler = ServiceScheduler(store, rules, db_url, options, report_url)
            scheduler.start()
            try:
                while not stop.wait(options.poll) and lock.held():
                    jobstatus.beat(store, me)
            finally:
                scheduler.shutdown(wait=True)
                jobstatus.step_down(store, me)
    finally:
        lock.release()
