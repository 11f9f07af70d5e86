"""Stale incidents: closed, with a message, when nothing will resolve them.

An incident resolves when a run finds its check passing. Two things stop that from
ever happening, and each closes the incident as ``stale`` instead of leaving it
open for ever:

- its check left the rules (removed, renamed or disabled): the model's next run
  closes it (:func:`removed`). The service's own checks (:data:`SERVICE_CHECKS`:
  the scheduler's freshness verdicts, unreadable sources, a run that could not be
  checked) are not in the rules and are never judged so;
- no run has found it for ``incidents.stale_after`` of the service file
  (:class:`~modelhealth.rules.service.IncidentSettings`): the scheduler closes it
  (:func:`unseen`). While an incident is open, every run that evaluates its check
  either finds it failing (and dates it, ``last_seen_at``) or resolves it, so
  ``last_seen_at`` is also when its check last ran for it.

Each route that heard of the incident gets one ``stale`` message in its thread,
saying why, as it would a resolution (PagerDuty resolves it). These functions only
say why; the store closes and queues (:mod:`modelhealth.store.stale`).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from modelhealth.alerts.render import format_time

__all__ = ["SERVICE_CHECKS", "removed", "unseen"]

SERVICE_CHECKS = frozenset({"freshness", "run", "sources"})
"""Check ids of results the service makes itself, never found in the rules."""


def removed(check_id: str, checks: Collection[str]) -> str | None:
    """Why an incident of ``check_id`` is stale, when the rules' enabled
    ``checks`` no longer hold it; ``None`` when they do."""
    if check_id in SERVICE_CHECKS or check_id in checks:
        return None
    return f"its check {check_id!r} is no longer in the rules"


def unseen(
    last_seen_at: datetime, now: datetime, stale_after: timedelta, text: str
) -> str | None:
    """Why an incident last found at ``last_seen_at`` is stale at ``now``;
    ``None`` while it is younger than ``stale_after`` (written ``text``)."""
    if now - last_seen_at < stale_after:
        return None
    return (
        f"no run has evaluated it since {format_time(last_seen_at)} "
        f"(incidents.stale_after is {text})"
    )
