"""Channels, the alerts they send, and the record of each sending.

An :class:`Alert` is one message for one channel about one run: the results that
route chose for that channel (grouped, worst first), or a resolution or a test. A
:class:`Channel` turns an alert into a delivery (``send``); ``alerts.render`` decides
the words, the channel only the transport. Channel settings are a
:class:`~rules.models.ChannelParams` subclass with ``channel: Literal["name"]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar, Literal

from checks.base import CheckResult, Status, utcnow
from rules.models import ChannelParams

__all__ = ["Alert", "Channel", "ChannelParams", "Delivery", "DeliveryError"]

AlertKind = Literal["problem", "resolved", "test"]


class DeliveryError(Exception):
    """A channel could not deliver an alert; the message says which and why."""

    def __init__(self, channel: str, reason: str) -> None:
        self.channel = channel
        self.reason = reason
        super().__init__(f"channel {channel!r} could not deliver: {reason}")


@dataclass(frozen=True)
class Alert:
    """One message about one run for one channel.

    Attributes:
        model: the model's name.
        run_id: the run the results come from.
        results: the routed results, worst first.
        kind: ``problem`` (something failed), ``resolved`` or ``test``.
        model_version: the version that produced the run, if known.
        report_url: a link to the run's page, if a base URL is configured.
    """

    model: str
    run_id: str
    results: tuple[CheckResult, ...]
    kind: AlertKind = "problem"
    model_version: str | None = None
    report_url: str | None = None
    created_at: datetime = field(default_factory=utcnow)

    @property
    def worst(self) -> Status:
        if not self.results:
            return Status.PASSED
        return max((r.status for r in self.results), key=lambda s: s.rank)


@dataclass(frozen=True)
class Delivery:
    """What became of one alert on one channel."""

    channel: str
    ok: bool
    detail: str = ""
    sent_at: datetime = field(default_factory=utcnow)


class Channel:
    """Base class of every channel: ``send`` one alert, return what happened."""

    params_type: ClassVar[type[ChannelParams]]

    def __init__(self, params: ChannelParams) -> None:
        self.params = params

    @property
    def name(self) -> str:
        return self.params.channel

    def send(self, alert: Alert) -> Delivery:
        raise NotImplementedError

    def send_all(self, alerts: Sequence[Alert]) -> list[Delivery]:
        return [self.send(a) for a in alerts]
