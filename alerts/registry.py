"""The table of alert channels: one line per channel, imported only on first use."""

from __future__ import annotations

import importlib
from functools import cache

from modelhealth.alerts.base import Channel
from modelhealth.rules.models import ChannelParams

__all__ = ["BUILTIN", "build", "channels", "get", "params_types"]

BUILTIN: dict[str, str] = {
    "console": "modelhealth.alerts.console:ConsoleChannel",
    "email": "modelhealth.alerts.email:EmailChannel",
    "pagerduty": "modelhealth.alerts.pagerduty:PagerDutyChannel",
    "slack": "modelhealth.alerts.slack:SlackChannel",
    "teams": "modelhealth.alerts.teams:TeamsChannel",
    "webhook": "modelhealth.alerts.webhook:WebhookChannel",
}


def channels() -> list[str]:
    """Every known channel name, sorted."""
    return sorted(BUILTIN)


@cache
def get(name: str) -> type[Channel]:
    """The channel class called ``name``.

    Raises:
        KeyError: no such channel.
    """
    module_name, _, attr = BUILTIN[name].partition(":")
    cls: type[Channel] = getattr(importlib.import_module(module_name), attr)
    return cls


def params_types() -> dict[str, type[ChannelParams]]:
    """``{channel: params class}`` for the rules loader."""
    return {name: get(name).params_type for name in channels()}


def build(params: ChannelParams) -> Channel:
    """A channel instance for one route's settings."""
    return get(params.channel)(params)
