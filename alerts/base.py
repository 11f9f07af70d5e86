"""Channels, the alerts they send, and the record of each sending.

An :class:`Alert` is one message for one channel about one run: the results that
route chose for that channel (grouped, worst first), with each result's
:class:`Streak` (since when it fails, how many runs in a row); or a reminder, a
resolution, or a test. A :class:`Channel` turns an alert into a :class:`Delivery`
(``send``); ``modelhealth.alerts.render`` decides the words, the channel only carries
them.
Channel settings are a :class:`~modelhealth.rules.models.ChannelParams` subclass with
``channel: Literal["name"]``.

Alerts travel through the store's outbox as JSON (:meth:`Alert.to_dict`,
:meth:`Alert.from_dict`); the outbox adds the idempotency ``key`` and, for a
reply, ``reply_to``: what the channel said about the message this one follows
(a Slack ``ts``, an e-mail ``Message-ID``), so a resolution lands in its thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Literal

from modelhealth.checks.base import CheckResult, Status, utcnow
from modelhealth.rules.models import ChannelParams

__all__ = [
    "Alert",
    "AlertKind",
    "Channel",
    "ChannelParams",
    "Delivery",
    "DeliveryError",
    "Streak",
    "result_key",
]

AlertKind = Literal["problem", "reminder", "resolved", "stale", "acknowledged", "test"]


class DeliveryError(Exception):
    """A channel could not deliver an alert; the message says which and why."""

    def __init__(self, channel: str, reason: str) -> None:
        self.channel = channel
        self.reason = reason
        super().__init__(f"channel {channel!r} could not deliver: {reason}")


def result_key(check_id: str, subject: str | None) -> str:
    """How results and incidents are named: ``feature-drift[spend]``."""
    return check_id + (f"[{subject}]" if subject is not None else "")


@dataclass(frozen=True)
class Streak:
    """How long one result has been wrong: its incident's story so far.

    Attributes:
        since: when the incident opened (the first failing run's finish).
        runs: failing runs in a row, this one included.
        first_run_id: the run that opened it.
    """

    since: datetime
    runs: int
    first_run_id: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat(),
            "runs": self.runs,
            "first_run_id": self.first_run_id,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Streak:
        return cls(
            datetime.fromisoformat(data["since"]),
            int(data["runs"]),
            str(data["first_run_id"]),
        )


@dataclass(frozen=True)
class Alert:
    """One message about one run for one channel.

    Attributes:
        model: the model's name.
        run_id: the run the results come from.
        results: the routed results, worst first.
        kind: ``problem`` (something new failed), ``reminder`` (still failing),
            ``resolved`` (passes again), ``stale`` (closed unresolved: its check
            was removed or has not run for a long time), ``acknowledged``
            (someone is on it) or ``test``.
        model_version: the version that produced the run, if known.
        report_url: a link to the run's page, if a base URL is configured.
        streaks: ``{result_key: Streak}`` for results that belong to an incident.
        key: the idempotency key (set by the outbox; receivers dedupe on it).
        reply_to: the channel's reference to the message this one follows.
        note: who acknowledged, and until when (``acknowledged`` alerts); why
            the incident was closed (``stale`` alerts).
    """

    model: str
    run_id: str
    results: tuple[CheckResult, ...]
    kind: AlertKind = "problem"
    model_version: str | None = None
    report_url: str | None = None
    created_at: datetime = field(default_factory=utcnow)
    streaks: Mapping[str, Streak] = field(default_factory=dict)
    key: str = ""
    reply_to: Mapping[str, str] = field(default_factory=dict)
    note: str = ""

    @property
    def worst(self) -> Status:
        if not self.results:
            return Status.PASSED
        return max((r.status for r in self.results), key=lambda s: s.rank)

    def streak(self, result: CheckResult) -> Streak | None:
        """The incident story of one of this alert's results, if known."""
        return self.streaks.get(result_key(result.check_id, result.subject))

    def to_dict(self) -> dict[str, Any]:
        """The alert as JSON, as the outbox stores it (no key, no reply_to)."""
        return {
            "model": self.model,
            "run_id": self.run_id,
            "kind": self.kind,
            "model_version": self.model_version,
            "report_url": self.report_url,
            "created_at": self.created_at.isoformat(),
            "results": [r.to_dict() for r in self.results],
            "streaks": {k: s.to_dict() for k, s in self.streaks.items()},
            **({"note": self.note} if self.note else {}),
        }

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        *,
        key: str = "",
        reply_to: Mapping[str, str] | None = None,
    ) -> Alert:
        """An alert from :meth:`to_dict`'s JSON, with the outbox's key and reply."""
        return cls(
            model=str(data["model"]),
            run_id=str(data["run_id"]),
            results=tuple(CheckResult.from_dict(r) for r in data.get("results", ())),
            kind=data.get("kind", "problem"),
            model_version=data.get("model_version"),
            report_url=data.get("report_url"),
            created_at=datetime.fromisoformat(data["created_at"]),
            streaks={
                k: Streak.from_dict(v) for k, v in (data.get("streaks") or {}).items()
            },
            key=key,
            reply_to=dict(reply_to or {}),
            note=str(data.get("note", "")),
        )


@dataclass(frozen=True)
class Delivery:
    """What became of one alert on one channel.

    Attributes:
        channel: the channel name.
        ok: the receiver accepted the message.
        detail: why not, when not (never a secret).
        ref: the channel's reference to the sent message, for replies
            (``{"channel": "C1", "ts": "17.2"}`` on Slack).
        retry_after: seconds the receiver asked to wait (HTTP 429), if it did.
    """

    channel: str
    ok: bool
    detail: str = ""
    sent_at: datetime = field(default_factory=utcnow)
    ref: Mapping[str, str] = field(default_factory=dict)
    retry_after: float | None = None


class Channel:
    """Base class of every channel: ``send`` one alert, return what happened.

    ``send`` should not raise for a delivery failure: it returns
    ``Delivery(ok=False, detail=...)`` (with ``retry_after`` on HTTP 429), and the
    outbox schedules another attempt.
    """

    params_type: ClassVar[type[ChannelParams]]

    def __init__(self, params: ChannelParams) -> None:
        self.params = params

    @property
    def name(self) -> str:
        return self.params.channel

    def send(self, alert: Alert) -> Delivery:
        raise NotImplementedError

    def close(self) -> None:
        """Release connections the channel holds (nothing by default)."""

    def __enter__(self) -> Channel:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
