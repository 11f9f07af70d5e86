"""The jobs the rules ask for, with their timings as plain data.

For every model in the rules folders the scheduler keeps these jobs, each naming its
function by text with the model's name as argument, so any process can reload them:

- ``run:<model>``: ``modelhealth.service.jobs:run_rule`` on ``schedule.cron`` or
  ``schedule.every`` (only with ``sources.inputs`` or ``sources.query``);
- ``freshness:<model>``: ``modelhealth.service.jobs:check_freshness`` every
  ``freshness_every`` seconds (only with ``schedule.expect_every``);
- ``labels:<model>``: ``modelhealth.service.jobs:attach_due_labels`` every
  ``labels_every`` seconds (only with ``label.delay`` and ``sources.labels``).

Every timing (:class:`Cron`, :class:`Every`) has an explicit timezone
(``schedule.timezone``, UTC by default); a run's interval counts from a fixed origin
(:data:`ORIGIN`), so its fire times are the same in every process. The scheduler
turns a timing into its trigger. Each job carries a fingerprint of its function and
timing, so an unchanged job keeps its next run time.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from modelhealth.rules.durations import parse_duration
from modelhealth.rules.models import RuleSet, Schedule

__all__ = ["ORIGIN", "Cron", "Every", "JobSpec", "Timing", "plan", "run_timing"]

log = logging.getLogger(__name__)

ORIGIN = datetime(2000, 1, 1, tzinfo=timezone.utc)
"""Where interval schedules count from, so their fire times agree in every process."""


@dataclass(frozen=True)
class Cron:
    """Fire when a five-field cron expression matches, in ``timezone``."""

    expr: str
    timezone: str

    def text(self) -> str:
        """The timing as its job's fingerprint reads it."""
        return f"cron {self.expr} {self.timezone}"


@dataclass(frozen=True)
class Every:
    """Fire every ``seconds``, counted from ``start`` (``None``: from when the job
    is added)."""

    seconds: float
    timezone: str
    start: datetime | None = None

    def text(self) -> str:
        """The timing as its job's fingerprint reads it."""
        return f"every {self.seconds} {self.timezone}"


Timing = Cron | Every


@dataclass(frozen=True)
class JobSpec:
    """One planned job: its id, function by text, trigger, and a fingerprint."""

    id: str
    func: str
    trigger: Any
    model: str
    fingerprint: str


def run_timing(schedule: Schedule) -> Timing:
    """The timing of a model's scheduled runs (cron, else ``every``).

    Raises:
        ValueError: neither is set.
    """
    tz = schedule.timezone
    if schedule.cron:
        return Cron(schedule.cron, tz)
    if schedule.every:
        return Every(parse_duration(schedule.every).total_seconds(), tz, ORIGIN)
    raise ValueError("the schedule has neither cron nor every")


def plan(
    rule_sets: dict[str, RuleSet],
    trigger: Callable[[Timing], Any],
    *,
    freshness_every: float,
    labels_every: float,
) -> list[JobSpec]:
    """The jobs the rules ask for.

    Args:
        rule_sets: the rules in force, by model.
        trigger: a timing's trigger; a ``ValueError`` from it (a cron the
            scheduler cannot express) leaves that model without jobs.
        freshness_every: how often each model's freshness is judged (seconds).
        labels_every: how often due labels are looked for (seconds).

    Returns:
        One spec per job, in model order.
    """
    specs: list[JobSpec] = []
    for model, rs in sorted(rule_sets.items()):
        specs.extend(_model_jobs(model, rs, trigger, freshness_every, labels_every))
    return specs


def _model_jobs(
    model: str,
    rs: RuleSet,
    trigger: Callable[[Timing], Any],
    freshness_every: float,
    labels_every: float,
) -> list[JobSpec]:
    """The jobs of one model, from its ``schedule:``, ``sources:`` and ``label:``;
    none when a timing's trigger cannot be built (the error is logged)."""
    wanted: list[tuple[str, str, Timing]] = []
    schedule = rs.schedule
    tz = schedule.timezone if schedule else "UTC"
    has_data = rs.sources is not None and bool(rs.sources.inputs or rs.sources.query)
    if schedule is not None and has_data and (schedule.cron or schedule.every):
        wanted.append(
            ("run", "modelhealth.service.jobs:run_rule", run_timing(schedule))
        )
    if schedule is not None and schedule.expect_every:
        every = Every(freshness_every, tz)
        wanted.append(("freshness", "modelhealth.service.jobs:check_freshness", every))
    labelled = rs.label is not None and rs.label.delay is not None
    if labelled and rs.sources is not None and rs.sources.labels:
        every = Every(labels_every, tz)
        wanted.append(("labels", "modelhealth.service.jobs:attach_due_labels", every))
    try:
        triggers = [trigger(timing) for _, _, timing in wanted]
    except ValueError as exc:  # a cron the scheduler cannot express
        log.error("no jobs for model %r: %s", model, exc)
        return []
    specs = []
    for (kind, func, timing), fires in zip(wanted, triggers, strict=True):
        digest = hashlib.sha1(f"{func}|{timing.text()}".encode()).hexdigest()[:12]
        specs.append(JobSpec(f"{kind}:{model}", func, fires, model, digest))
    return specs
