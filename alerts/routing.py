"""Which results go to which channel: the one function that decides to notify.

A route (an entry of the rules' ``alerts:``) takes a result when its status is one of
the route's ``statuses`` (default failed and errored), its severity is at least
``min_severity``, and, where given, its check id is in ``checks`` and its kind in
``kinds``. A run's results for one route become one alert, so thirty drifted features
make one message. A rules file without ``alerts:`` uses :func:`default_routes`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from modelhealth.alerts.base import Alert
from modelhealth.checks.base import CheckResult
from modelhealth.rules.models import ChannelParams, RuleSet, Severity

__all__ = ["Routed", "default_routes", "matches", "route", "route_key"]


def default_routes() -> tuple[ChannelParams, ...]:
    """Console, warning and worse: what a rules file without ``alerts:`` gets."""
    from modelhealth.alerts.console import ConsoleParams

    return (ConsoleParams(min_severity=Severity.WARNING),)


@dataclass(frozen=True)
class Routed:
    """One alert and the route (channel settings) that should carry it."""

    route: ChannelParams
    alert: Alert


def route_key(route: ChannelParams) -> str:
    """A short stable name for a route, for incidents and threads.

    It is made of where messages go and which results the route takes, not of
    delivery settings such as timeouts or the reminder interval: tuning those must
    not make open incidents look new to the route (a second opening message) nor
    orphan their resolutions. Routes hold environment variable names, never
    secrets, so hashing (and the outbox storing) their settings reveals nothing.
    """
    data = route.model_dump(mode="json", exclude=_DELIVERY_SETTINGS)
    text = json.dumps(data, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


_DELIVERY_SETTINGS = {
    "timeout",
    "renotify_after",
    "send_resolved",
    "max_wait",
    "retries",
    "headers",
    "format",
    "stream",
}


def matches(route: ChannelParams, result: CheckResult) -> bool:
    """Does ``route`` want ``result``?"""
    if result.status.value not in route.statuses:
        return False
    if result.severity.rank < route.min_severity.rank:
        return False
    if route.checks is not None and result.check_id not in route.checks:
        return False
    return route.kinds is None or result.kind in route.kinds


def route(
    results: Sequence[CheckResult],
    rule_set: RuleSet,
    *,
    run_id: str,
    model_version: str | None = None,
    report_url: str | None = None,
) -> list[Routed]:
    """Group a run's results into one alert per route that wants any of them.

    Args:
        results: the run's results.
        rule_set: the model's rules; its ``alerts`` are the routes.
        run_id: the run the results come from.
        model_version: the version that produced the run.
        report_url: a link to the run's page, if the report's base URL is known.

    Returns:
        One :class:`Routed` per route with at least one matching result.
    """
    routes = tuple(rule_set.alerts) or default_routes()
    out: list[Routed] = []
    for r in routes:
        picked = [res for res in results if matches(r, res)]
        if not picked:
            continue
        picked.sort(
            key=lambda res: (-res.status.rank, -res.severity.rank, res.check_id)
        )
        alert = Alert(
            model=rule_set.model,
            run_id=run_id,
            results=tuple(picked),
            model_version=model_version,
            report_url=report_url,
        )
        out.append(Routed(route=r, alert=alert))
    return out
