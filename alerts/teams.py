"""``teams``: alerts as Adaptive Cards posted to a Microsoft Teams incoming webhook.

Teams' incoming webhooks (a channel's Workflows "when a webhook request is
received", or the older connectors) take a ``message`` with one Adaptive Card
attachment. The card has the headline, one line per result worst first (the words of
:mod:`modelhealth.alerts.render`), and an "Open the report" button when the report's
address is configured. The webhook's URL is its secret, so it comes from
``url_env``.

A 2xx answer is a delivery, except that the older connectors answer throttling with
HTTP 200 and a body that is not ``1``: that is a failed delivery the outbox retries,
as are 429 and 5xx. Teams does not dedupe; a retry after a lost answer can show a
card twice.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, model_validator

from modelhealth.alerts._http import failed, refused
from modelhealth.alerts._secrets import EnvName, check_url, missing_env, read_secret
from modelhealth.alerts.base import Alert, Channel, Delivery
from modelhealth.alerts.render import MAX_LINES, describe, ordered, title
from modelhealth.rules.models import ChannelParams

if TYPE_CHECKING:  # httpx is imported when the channel is made
    import httpx

__all__ = ["TeamsChannel", "TeamsParams", "card"]

_COLOR = {
    "problem": "attention",
    "reminder": "warning",
    "resolved": "good",
    "stale": "accent",
}


class TeamsParams(ChannelParams):
    """Post Adaptive Cards to a Microsoft Teams incoming webhook."""

    channel: Literal["teams"] = "teams"
    url_env: EnvName
    timeout: float = Field(default=10.0, gt=0, le=120)

    @model_validator(mode="after")
    def _target(self) -> TeamsParams:
        problem = missing_env(url_env=self.url_env)
        if problem is None:
            url = read_secret(self.url_env).get_secret_value()
            problem = check_url(url, f"{self.url_env!r}")
        if problem:
            raise ValueError(problem)
        return self


def card(alert: Alert) -> dict[str, Any]:
    """The Teams message for ``alert``: one Adaptive Card."""
    results = ordered(alert)
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": title(alert),
            "weight": "bolder",
            "size": "medium",
            "wrap": True,
            "color": _COLOR.get(alert.kind, "default"),
        }
    ]
    body += [
        {"type": "TextBlock", "text": describe(r, alert.streak(r)), "wrap": True}
        for r in results[:MAX_LINES]
    ]
    if len(results) > MAX_LINES:
        more = f"... and {len(results) - MAX_LINES} more"
        body.append({"type": "TextBlock", "text": more, "isSubtle": True})
    content: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if alert.report_url:
        content["actions"] = [
            {
                "type": "Action.OpenUrl",
                "title": "Open the report",
                "url": alert.report_url,
            }
        ]
    attachment = {
        "contentType": "application/vnd.microsoft.card.adaptive",
        "content": content,
    }
    return {"type": "message", "attachments": [attachment]}


class TeamsChannel(Channel):
    """Sends with ``client`` (an :class:`httpx.Client`; one is made if not given)."""

    params_type = TeamsParams

    def __init__(
        self, params: ChannelParams, client: httpx.Client | None = None
    ) -> None:
        import httpx

        super().__init__(params)
        assert isinstance(params, TeamsParams)
        self._url = read_secret(params.url_env)
        self._own = client is None
        self._client = client or httpx.Client(timeout=params.timeout)
        self._transport_errors = httpx.HTTPError

    def close(self) -> None:
        if self._own:
            self._client.close()

    def send(self, alert: Alert) -> Delivery:
        body = json.dumps(card(alert), allow_nan=False).encode()
        try:
            response = self._client.post(
                self._url.get_secret_value(),
                content=body,
                headers={"Content-Type": "application/json"},
            )
        except self._transport_errors as exc:
            return failed(self.name, f"{type(exc).__name__}: {exc}", self._url)
        if not response.is_success:
            return refused(self.name, response, self._url)
        text = response.text.strip()
        if response.status_code == 200 and text not in ("", "1") and "429" in text:
            return failed(self.name, f"HTTP 200: {text[:200]}", self._url, wait=None)
        return Delivery(channel=self.name, ok=True)
