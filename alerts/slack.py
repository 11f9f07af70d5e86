"""``slack``: alerts in Slack, through a bot token or an incoming webhook.

With a bot token (``token_env`` and ``to``), messages go through the Web API's
``chat.postMessage`` as Block Kit blocks with a plain-text fallback, carry the
idempotency key in their ``metadata``, and a resolution replies in the thread of
the message that opened the incident. With an incoming webhook (``webhook_url_env``)
the same blocks are posted to the hook; webhooks return no message id, so
resolutions are posted as new messages.

Transient failures (a dropped connection, HTTP 429 with a short ``Retry-After``)
are retried inside the call by slack-sdk's retry handlers; anything longer comes
back as a failed :class:`~modelhealth.alerts.base.Delivery` (with ``retry_after``) and
the
outbox tries again later. Clients are constructor arguments, so tests point them at
a Slack-speaking server on 127.0.0.1.
"""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, model_validator

from modelhealth.alerts._retry import retry_after_header
from modelhealth.alerts._secrets import (
    EnvName,
    check_url,
    missing_env,
    read_secret,
    redact,
)
from modelhealth.alerts._slack_blocks import blocks
from modelhealth.alerts.base import Alert, Channel, Delivery
from modelhealth.alerts.render import render_text
from modelhealth.rules.models import ChannelParams

if TYPE_CHECKING:  # slack-sdk is imported when a Slack channel is made
    from slack_sdk import WebClient
    from slack_sdk.webhook import WebhookClient

__all__ = ["SlackChannel", "SlackParams"]

# slack-sdk logs request URLs at DEBUG; an incoming webhook's URL is its secret.
_sdk_log = logging.getLogger("modelhealth.alerts.slack.sdk")
_sdk_log.setLevel(logging.INFO)


class SlackParams(ChannelParams):
    """Post alerts to Slack: a bot token and a channel, or an incoming webhook."""

    channel: Literal["slack"] = "slack"
    to: str | None = None
    token_env: EnvName | None = None
    webhook_url_env: EnvName | None = None
    api_url: str = "https://slack.com/api/"
    timeout: float = Field(default=10.0, gt=0, le=120)
    max_wait: float = Field(default=5.0, ge=0, le=300)

    @model_validator(mode="after")
    def _credentials(self) -> SlackParams:
        if (self.webhook_url_env is None) == (self.token_env is None) or (
            self.token_env is not None and not self.to
        ):
            raise ValueError("slack needs webhook_url_env, or token_env and to")
        problem = missing_env(
            token_env=self.token_env, webhook_url_env=self.webhook_url_env
        )
        if problem is None or problem == "":  # "": unset, and allowed to be
            problem = check_url(self.api_url, "api_url") or problem
        if problem is None and self.webhook_url_env is not None:
            url = read_secret(self.webhook_url_env).get_secret_value()
            problem = check_url(url, f"the URL in {self.webhook_url_env!r}")
        if problem:
            raise ValueError(problem)
        return self


class SlackChannel(Channel):
    """Sends through ``client`` (Web API) or ``webhook``, built from the params
    and the environment when not given."""

    params_type = SlackParams

    def __init__(
        self,
        params: ChannelParams,
        client: WebClient | None = None,
        webhook: WebhookClient | None = None,
    ) -> None:
        from slack_sdk import WebClient
        from slack_sdk.webhook import WebhookClient

        from modelhealth.alerts._slack_retry import retry_handlers

        super().__init__(params)
        assert isinstance(params, SlackParams)
        self._p = params
        handlers = retry_handlers(params.max_wait)
        self._secret = read_secret(params.token_env or params.webhook_url_env or "")
        if params.token_env is not None:
            self._client = client or WebClient(
                token=self._secret.get_secret_value(),
                base_url=params.api_url,
                timeout=math.ceil(params.timeout),
                retry_handlers=handlers,
                logger=_sdk_log,
            )
        else:
            self._webhook = webhook or WebhookClient(
                self._secret.get_secret_value(),
                timeout=math.ceil(params.timeout),
                retry_handlers=handlers,
                logger=_sdk_log,
            )

    def send(self, alert: Alert) -> Delivery:
        from slack_sdk.errors import SlackApiError

        text = render_text(alert)
        try:
            if self._p.token_env is None:
                return self._hook(text, alert)
            return self._post(text, alert)
        except SlackApiError as exc:
            status = exc.response.status_code
            error = exc.response.get("error") if exc.response.data else None
            return self._failed(
                f"HTTP {status}: {error or 'no error given'}",
                retry_after_header(exc.response.headers) if status == 429 else None,
            )
        except Exception as exc:  # the transport: refused, reset, timed out
            return self._failed(f"{type(exc).__name__}: {exc}")

    def _post(self, text: str, alert: Alert) -> Delivery:
        args: dict[str, Any] = {
            "channel": alert.reply_to.get("channel") or self._p.to,
            "text": text,
            "blocks": blocks(alert),
            "unfurl_links": False,
            "metadata": {
                "event_type": "modelhealth_alert",
                "event_payload": {
                    "idempotency_key": alert.key,
                    "model": alert.model,
                    "run_id": alert.run_id,
                    "kind": alert.kind,
                },
            },
        }
        if alert.reply_to.get("ts"):
            args["thread_ts"] = alert.reply_to["ts"]
        response = self._client.chat_postMessage(**args)
        ref = {"channel": str(response["channel"]), "ts": str(response["ts"])}
        return Delivery(channel=self.name, ok=True, ref=ref)

    def _hook(self, text: str, alert: Alert) -> Delivery:
        response = self._webhook.send(text=text, blocks=blocks(alert))
        if 200 <= response.status_code < 300:
            return Delivery(channel=self.name, ok=True)
        retry = (
            retry_after_header(response.headers)
            if response.status_code == 429
            else None
        )
        return self._failed(
            f"HTTP {response.status_code}: {response.body[:200]}", retry
        )

    def _failed(self, detail: str, retry_after: float | None = None) -> Delivery:
        return Delivery(
            channel=self.name,
            ok=False,
            detail=redact(detail, self._secret),
            retry_after=retry_after,
        )
