"""The routes a model's alerts take: its rules' and the service's, and report links.

The service file is ``--config FILE``, else ``$MODELHEALTH_CONFIG``, else
``./modelhealth.yaml`` when it exists (see :mod:`modelhealth.rules.service`). Its
routes apply
to every model, after the model's own; a model with no route at all gets the
console (:func:`modelhealth.alerts.routing.default_routes`). The report's base URL is
``$MODELHEALTH_REPORT_URL``, else the service file's ``report_url``.
"""

from __future__ import annotations

import os
from pathlib import Path

from modelhealth.alerts import registry as channel_registry
from modelhealth.alerts.incidents import AlertPolicy
from modelhealth.alerts.routing import default_routes
from modelhealth.rules.models import ChannelParams, RuleSet
from modelhealth.rules.service import ServiceConfig, load_service

__all__ = ["alert_policy", "report_link", "routes_for", "service_config"]

DEFAULT_CONFIG = "modelhealth.yaml"

_cache: dict[tuple[str, float], ServiceConfig] = {}


def service_config(path: str | os.PathLike[str] | None = None) -> ServiceConfig:
    """The service file's settings (all defaults when there is no file).

    Raises:
        RulesError: the file is named but missing, or has problems.
    """
    named = path or os.environ.get("MODELHEALTH_CONFIG")
    if named is None:
        if not Path(DEFAULT_CONFIG).is_file():
            return ServiceConfig()
        named = DEFAULT_CONFIG
    file = Path(named)
    stamp = (os.fspath(named), file.stat().st_mtime if file.is_file() else 0.0)
    if stamp not in _cache:
        _cache[stamp] = load_service(
            named, channel_kinds=channel_registry.params_types()
        )
    return _cache[stamp]


def routes_for(
    rule_set: RuleSet, config: ServiceConfig | None = None
) -> tuple[ChannelParams, ...]:
    """A model's routes: its own, then the service's; the console if none.

    A route given in both places is used once, so its messages are not doubled.
    """
    from modelhealth.alerts.routing import route_key

    config = config or service_config()
    unique = {route_key(r): r for r in reversed((*rule_set.alerts, *config.alerts))}
    routes = tuple(reversed(list(unique.values())))
    return routes or default_routes()


def report_link(
    model: str, run_id: str, config: ServiceConfig | None = None
) -> str | None:
    """The link to a run's page in the web report, if a base URL is configured."""
    base = os.environ.get("MODELHEALTH_REPORT_URL")
    if not base:
        base = (config or service_config()).report_url
    return f"{base.rstrip('/')}/models/{model}/runs/{run_id}" if base else None


def alert_policy(
    rule_set: RuleSet, report_url: str | None, *, alert: bool = True
) -> AlertPolicy:
    """What :meth:`Store.save_run` alerts with: no routes when ``alert`` is off
    (incidents are still tracked)."""
    return AlertPolicy(routes_for(rule_set) if alert else (), report_url)
