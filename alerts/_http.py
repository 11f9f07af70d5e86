"""What the HTTP channels share: judging an answer.

A 2xx answer is a delivery. A 429 or a 5xx is a failed delivery the outbox retries
(with the receiver's ``Retry-After`` on 429, read by :mod:`modelhealth.alerts._retry`);
any other status is a failed delivery too, whose detail says what the receiver
answered. Secrets are redacted from it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import SecretStr

from modelhealth.alerts._retry import retry_after
from modelhealth.alerts._secrets import redact
from modelhealth.alerts.base import Delivery

if TYPE_CHECKING:  # httpx is imported when an HTTP channel is made
    import httpx

__all__ = ["failed", "refused"]


def failed(
    channel: str, detail: str, *secrets: SecretStr | None, wait: float | None = None
) -> Delivery:
    """A failed delivery whose detail shows no secret."""
    return Delivery(
        channel=channel, ok=False, detail=redact(detail, *secrets), retry_after=wait
    )


def refused(
    channel: str, response: httpx.Response, *secrets: SecretStr | None
) -> Delivery:
    """The failed delivery for a non-2xx ``response``."""
    wait = None
    if response.status_code == 429:
        wait = retry_after(response.headers.get("Retry-After"))
    detail = f"HTTP {response.status_code}: {response.text[:200]}"
    return failed(channel, detail, *secrets, wait=wait)
