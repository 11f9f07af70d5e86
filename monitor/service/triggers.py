"""When a model's scheduled run fires, and which fire a running job belongs to.

:func:`run_trigger` turns a rules file's ``schedule:`` (cron, or ``every``) into the
APScheduler trigger the scheduler plans with; every trigger has an explicit
timezone, and interval triggers count from a fixed origin (2000-01-01 UTC) rather
than from whenever the scheduler started, so their fire times are the same in
every process. :func:`fire_time` finds, for a job running now, the fire time it
runs for: the latest fire at or before now. The scheduled run's id is that fire
time, so a fire run again (after a failover, a retry, a restart within the misfire
grace) replaces the run it stored the first time instead of storing a second one.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from modelhealth.rules.durations import parse_duration
from modelhealth.rules.models import Schedule

__all__ = ["ORIGIN", "fire_time", "run_trigger"]

ORIGIN = datetime(2000, 1, 1, tzinfo=timezone.utc)
"""Where interval schedules count from."""

_DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun"]


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


def _cron(expr: str, tz: str) -> CronTrigger:
    minute, hour, day, month, dow = expr.split()
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=_dow(dow),
        timezone=tz,
    )


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
