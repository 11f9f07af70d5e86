"""How slack-sdk retries inside one call: once on a dropped connection, and a 429
only when its ``Retry-After`` is short; longer waits go back to the outbox.

Its own module, imported when a Slack channel is made, so that loading rules that
name no Slack route never imports slack-sdk.
"""

from __future__ import annotations

from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from modelhealth.alerts._retry import retry_after_header

__all__ = ["retry_handlers"]


def retry_handlers(max_wait: float) -> list[RetryHandler]:
    """The handlers a Slack client is built with."""
    return [
        ConnectionErrorRetryHandler(max_retry_count=1),
        _ShortRateLimitHandler(max_wait),
    ]


class _ShortRateLimitHandler(RateLimitErrorRetryHandler):
    """Sleep out a 429 inside the call only when ``Retry-After`` is short."""

    def __init__(self, max_wait: float) -> None:
        super().__init__(max_retry_count=1)
        self.max_wait = max_wait

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        return (retry_after_header(response.headers) or 1.0) <= self.max_wait
