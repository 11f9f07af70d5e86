"""The routes a model's alerts take: its rules', then the service file's.

The service file (:func:`modelhealth.config.service_config`) holds routes that apply
to every model, after the model's own; a model with no route at all gets the
console (:func:`modelhealth.alerts.routing.default_routes`).
"""

from __future__ import annotations

from modelhealth.alerts.incidents import AlertPolicy
from modelhealth.alerts.routing import default_routes, route_key
from modelhealth.config import service_config
from modelhealth.rules.models import ChannelParams, RuleSet
from modelhealth.rules.service import ServiceConfig

__all__ = ["alert_policy", "routes_for"]


def routes_for(
    rule_set: RuleSet, config: ServiceConfig | None = None
) -> tuple[ChannelParams, ...]:
    """A model's routes: its own, then the service's; the console if none.

    A route given in both places is used once, so its messages are not doubled.
    """
    config = config or service_config()
    unique = {route_key(r): r for r in reversed((*rule_set.alerts, *config.alerts))}
    routes = tuple(reversed(list(unique.values())))
    return routes or default_routes()


def alert_policy(
    rule_set: RuleSet, report_url: str | None, *, alert: bool = True
) -> AlertPolicy:
    """What :meth:`Store.save_run` alerts with: no routes when ``alert`` is off
    (incidents are still tracked), and the checks whose incidents stay open."""
    routes = routes_for(rule_set) if alert else ()
    checks = frozenset(c.id for c in rule_set.checks if c.enabled)
    return AlertPolicy(routes, report_url, tuple(rule_set.maintenance), checks)
