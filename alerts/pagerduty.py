"""``pagerduty``: incidents as PagerDuty alerts (Events API v2).

Each incident of an alert is one event with a stable ``dedup_key``,
``modelhealth/<model>/<check>[<subject>]``: a problem ``trigger``\\ s it (a reminder
triggers it again, which PagerDuty folds into the same alert), and a resolution
``resolve``\\ s the same key, so PagerDuty's own alert opens and closes with ours;
an acknowledgement here sends ``acknowledge``. A grouped alert (30 drifted
features) is 30 events; a retry after a partial failure sends them again, which
PagerDuty dedupes by key.

The routing key (an integration key of a PagerDuty service) is read from
``routing_key_env``. Our severities map to PagerDuty's (``critical``, ``error``,
``warning``, ``info``) by ``severities``. A 429 or 5xx is a failed delivery that the
outbox retries; a 400 (a malformed event, a wrong key) too, with PagerDuty's words.
``api_url`` points elsewhere for tests.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, model_validator

from modelhealth.alerts._http import failed, refused
from modelhealth.alerts._secrets import EnvName, check_url, missing_env, read_secret
from modelhealth.alerts.base import Alert, Channel, Delivery, result_key
from modelhealth.alerts.render import describe, title
from modelhealth.checks.base import CheckResult
from modelhealth.rules.models import ChannelParams

if TYPE_CHECKING:  # httpx is imported when the channel is made
    import httpx

__all__ = ["PagerDutyChannel", "PagerDutyParams", "dedup_key", "events"]

PagerDutySeverity = Literal["critical", "error", "warning", "info"]
OurSeverity = Literal["info", "warning", "critical"]
_DEFAULT_MAP: dict[OurSeverity, PagerDutySeverity] = {
    "critical": "critical",
    "warning": "warning",
    "info": "info",
}


class PagerDutyParams(ChannelParams):
    """Page through a PagerDuty service's Events API v2 integration."""

    channel: Literal["pagerduty"] = "pagerduty"
    routing_key_env: EnvName
    severities: dict[Literal["info", "warning", "critical"], PagerDutySeverity] = Field(
        default_factory=lambda: dict(_DEFAULT_MAP)
    )
    api_url: str = "https://events.pagerduty.com/v2/enqueue"
    timeout: float = Field(default=10.0, gt=0, le=120)

    @model_validator(mode="after")
    def _target(self) -> PagerDutyParams:
        problem = missing_env(routing_key_env=self.routing_key_env)
        problem = problem or check_url(self.api_url, "api_url")
        if problem:
            raise ValueError(problem)
        return self


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def dedup_key(model: str, result: CheckResult) -> str:
    """The PagerDuty alert key of one incident."""
    return f"modelhealth/{model}/{result_key(result.check_id, result.subject)}"


def events(alert: Alert, params: PagerDutyParams) -> list[dict[str, Any]]:
    """The events (without routing key) that tell PagerDuty about ``alert``."""
    if alert.kind == "test":
        return [
            {
                "event_action": "trigger",
                "dedup_key": f"modelhealth/test/{alert.key}",
                "payload": {
                    "summary": title(alert),
                    "source": f"modelhealth/{alert.model}",
                    "severity": "info",
                },
            }
        ]
    action = {
        "resolved": "resolve",
        "stale": "resolve",
        "acknowledged": "acknowledge",
    }.get(alert.kind, "trigger")
    out = []
    for r in alert.results:
        event: dict[str, Any] = {
            "event_action": action,
            "dedup_key": dedup_key(alert.model, r),
        }
        if action == "trigger":
            ours: OurSeverity = r.severity.value
            severity = params.severities.get(ours, _DEFAULT_MAP[ours])
            event["payload"] = {
                "summary": f"{alert.model}: {describe(r, alert.streak(r))}"[:1024],
                "source": f"modelhealth/{alert.model}",
                "severity": severity,
                "timestamp": alert.created_at.isoformat(),
                "component": r.check_id,
                "group": alert.model,
                "class": r.kind,
                "custom_details": {
                    "run_id": alert.run_id,
                    "model_version": alert.model_version,
                    "subject": r.subject,
                    "status": r.status.value,
                    "value": _finite(r.value),
                    "threshold": dict(r.threshold),
                    "message": r.message,
                },
            }
            if alert.report_url:
                event["links"] = [{"href": alert.report_url, "text": "open the report"}]
        out.append(event)
    return out


class PagerDutyChannel(Channel):
    """Sends with ``client`` (an :class:`httpx.Client`; one is made if not given)."""

    params_type = PagerDutyParams

    def __init__(
        self, params: ChannelParams, client: httpx.Client | None = None
    ) -> None:
        import httpx

        super().__init__(params)
        assert isinstance(params, PagerDutyParams)
        self._p = params
        self._key = read_secret(params.routing_key_env)
        self._own = client is None
        self._client = client or httpx.Client(timeout=params.timeout)
        self._transport_errors = httpx.HTTPError

    def close(self) -> None:
        if self._own:
            self._client.close()

    def send(self, alert: Alert) -> Delivery:
        keys = []
        for event in events(alert, self._p):
            event = {
                "routing_key": self._key.get_secret_value(),
                **event,
                "client": "modelhealth",
            }
            if alert.report_url:
                event["client_url"] = alert.report_url
            try:
                response = self._client.post(
                    self._p.api_url,
                    content=json.dumps(event, allow_nan=False).encode(),
                    headers={"Content-Type": "application/json"},
                )
            except self._transport_errors as exc:
                return failed(self.name, f"{type(exc).__name__}: {exc}", self._key)
            if not response.is_success:
                return refused(self.name, response, self._key)
            keys.append(event["dedup_key"])
        return Delivery(channel=self.name, ok=True, ref={"dedup_key": " ".join(keys)})
