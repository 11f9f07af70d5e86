"""``Retry-After``: how long a receiver asked us to wait, for the outbox's backoff.

One reading for every channel: seconds, or an HTTP date, never negative; ``None``
when absent or unreadable (the outbox then backs off on its own schedule).
"""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime
from typing import Any

__all__ = ["retry_after", "retry_after_header"]


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        try:
            return max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
        except (TypeError, ValueError):
            return None


def retry_after_header(headers: Any) -> float | None:
    """:func:`retry_after` of the ``Retry-After`` header in a mapping of headers
    (names in any case; a value may be a list, as slack-sdk gives them)."""
    for name, value in dict(headers or {}).items():
        if name.lower() == "retry-after":
            first = value[0] if isinstance(value, list) else value
            return retry_after(None if first is None else str(first))
    return None
