"""Maintenance windows: recurring spans, from the rules, in which incidents stay quiet.

A :class:`~modelhealth.rules.models.MaintenanceWindow` opens whenever its cron
expression fires (in its timezone) and stays open for its duration. While one is
open and matches an incident (check id and subject patterns, severities), the
incident behaves as under a silence (:mod:`modelhealth.alerts.silences`): it opens
and is stored, marked with the window's name, but sends no problem or reminder;
the first run after the window closes tells what is still open, once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from fnmatch import fnmatchcase
from zoneinfo import ZoneInfo

from modelhealth.rules.cron import fires_at
from modelhealth.rules.durations import parse_duration
from modelhealth.rules.models import MaintenanceWindow

__all__ = ["covers", "is_open", "open_windows"]

_MINUTE = timedelta(minutes=1)


def is_open(window: MaintenanceWindow, now: datetime) -> bool:
    """Whether ``window`` is open at ``now``: it fired within its duration before."""
    local = now.astimezone(ZoneInfo(window.timezone)).replace(second=0, microsecond=0)
    span = parse_duration(window.duration)
    minute, first = local, local - span
    while minute > first:
        if fires_at(window.cron, minute):
            return True
        minute -= _MINUTE
    return False


def open_windows(
    windows: Sequence[MaintenanceWindow], now: datetime
) -> list[MaintenanceWindow]:
    """The windows open at ``now``, in their order in the rules."""
    return [w for w in windows if is_open(w, now)]


def covers(
    window: MaintenanceWindow, check_id: str, subject: str | None, severity: str
) -> bool:
    """Whether ``window`` matches this incident (time aside)."""
    if window.checks and not any(fnmatchcase(check_id, p) for p in window.checks):
        return False
    if window.subjects and not any(
        fnmatchcase(subject or "", p) for p in window.subjects
    ):
        return False
    return not window.severities or severity in {s.value for s in window.severities}
