"""When scheduled jobs fire: rules' schedules as APScheduler triggers.

A rules file's ``schedule`` (a cron expression, in its time zone, or ``every``)
becomes a trigger here (:func:`run_trigger`); cron follows the usual reading, in
which a restricted day of month and day of week mean either (APScheduler's
``CronTrigger`` needs both, so such a schedule is an ``OrTrigger`` of two).
:func:`fire_time` and :func:`fired_at` find the fire a running job runs for, so
its run id and run time are the fire's, not the moment the job happened to start.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from modelhealth.rules.durations import parse_duration
from modelhealth.rules.models import RuleSet, Schedule

__all__ = ["FIRE_LOOKBACK", "ORIGIN", "fire_time", "fired_at", "run_trigger"]

_DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun"]

ORIGIN = datetime(2000, 1, 1, tzinfo=timezone.utc)
"""Where interval schedules count from, so their fire times agree in every process."""

FIRE_LOOKBACK = timedelta(hours=1)
"""How far back a running scheduled job looks for the fire it runs for: longer
than the misfire grace, beyond which a late fire is skipped anyway."""


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
