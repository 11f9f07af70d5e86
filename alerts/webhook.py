"""``webhook``: alerts as signed JSON POSTs to any URL.

The body is :func:`~modelhealth.alerts.render.render_json` of the alert. Every request
carries:

- ``Idempotency-Key``: the message's key; the same message retried (after a
  timeout, a crash before it was marked sent) keeps its key, so a receiver that
  remembers keys processes each message once;
- ``X-Modelhealth-Timestamp``: Unix seconds when it was signed;
- ``X-Modelhealth-Signature``: ``sha256=`` and the hex HMAC-SHA256, keyed with the
  shared secret (``secret_env``), of ``timestamp + "." + body``. Receivers check it
  with :func:`verify` (or its few lines in any language, see docs/alerts.md).

A 2xx answer is a delivery. Anything else, or no answer, is a failed delivery
(with ``Retry-After`` on 429) that the outbox retries with backoff.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import TYPE_CHECKING, Literal

from pydantic import Field, SecretStr, model_validator

from modelhealth.alerts._retry import retry_after
from modelhealth.alerts._secrets import (
    EnvName,
    check_url,
    missing_env,
    read_secret,
    redact,
)
from modelhealth.alerts.base import Alert, Channel, Delivery
from modelhealth.alerts.render import render_json
from modelhealth.rules.models import ChannelParams

if TYPE_CHECKING:  # httpx is imported when a webhook channel is made
    import httpx

__all__ = ["SIGNATURE_HEADER", "WebhookChannel", "WebhookParams", "sign", "verify"]

SIGNATURE_HEADER = "X-Modelhealth-Signature"
TIMESTAMP_HEADER = "X-Modelhealth-Timestamp"


class WebhookParams(ChannelParams):
    """POST alerts as JSON to a URL, signed with a shared secret."""

    channel: Literal["webhook"] = "webhook"
    url: str | None = None
    url_env: EnvName | None = None
    secret_env: EnvName | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    timeout: float = Field(default=10.0, gt=0, le=120)

    @model_validator(mode="after")
    def _target(self) -> WebhookParams:
        if (self.url is None) == (self.url_env is None):
            raise ValueError("webhook needs url, or url_env (not both)")
        problem = missing_env(url_env=self.url_env, secret_env=self.secret_env)
        if problem is None:
            url = self.url or read_secret(self.url_env or "").get_secret_value()
            problem = check_url(url, "url" if self.url else f"{self.url_env!r}")
        if problem:
            raise ValueError(problem)
        return self


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value: ``sha256=<hex>`` of ``timestamp.body``."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify(
    secret: str,
    body: bytes,
    timestamp: str,
    signature: str,
    *,
    tolerance: float = 300.0,
    now: float | None = None,
) -> bool:
    """What a receiver does: is this request from us, and recent?

    Args:
        secret: the shared secret.
        body: the raw request body.
        timestamp: the ``X-Modelhealth-Timestamp`` header.
        signature: the ``X-Modelhealth-Signature`` header.
        tolerance: the oldest signature accepted, in seconds (replays).
        now: the current Unix time (for tests).
    """
    try:
        age = (time.time() if now is None else now) - int(timestamp)
    except ValueError:
        return False
    if abs(age) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


class WebhookChannel(Channel):
    """Sends with ``client`` (an :class:`httpx.Client`; one is made if not given)."""

    params_type = WebhookParams

    def __init__(
        self, params: ChannelParams, client: httpx.Client | None = None
    ) -> None:
        import httpx

        super().__init__(params)
        assert isinstance(params, WebhookParams)
        self._p = params
        self._url = SecretStr(params.url or "")
        if params.url_env is not None:
            self._url = read_secret(params.url_env)
        self._secret = read_secret(params.secret_env) if params.secret_env else None
        self._own = client is None
        self._client = client or httpx.Client(timeout=params.timeout)
        self._transport_errors = httpx.HTTPError

    def close(self) -> None:
        if self._own:
            self._client.close()

    def send(self, alert: Alert) -> Delivery:
        body = json.dumps(render_json(alert), allow_nan=False).encode()
        headers = {
            **self._p.headers,
            "Content-Type": "application/json",
            "User-Agent": "modelhealth",
            "Idempotency-Key": alert.key,
        }
        if self._secret is not None:
            stamp = str(int(time.time()))
            headers[TIMESTAMP_HEADER] = stamp
            headers[SIGNATURE_HEADER] = sign(
                self._secret.get_secret_value(), stamp, body
            )
        try:
            response = self._client.post(
                self._url.get_secret_value(), content=body, headers=headers
            )
        except self._transport_errors as exc:
            return self._failed(f"{type(exc).__name__}: {exc}")
        if response.is_success:
            return Delivery(channel=self.name, ok=True)
        retry = (
            retry_after(response.headers.get("Retry-After"))
            if response.status_code == 429
            else None
        )
        return self._failed(
            f"HTTP {response.status_code}: {response.text[:200]}", retry
        )

    def _failed(self, detail: str, retry_after: float | None = None) -> Delivery:
        secrets = (self._url, self._secret) if self._p.url_env else (self._secret,)
        return Delivery(
            channel=self.name,
            ok=False,
            detail=redact(detail, *secrets),
            retry_after=retry_after,
        )
