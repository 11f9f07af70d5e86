"""Incidents and the alert outbox in the store (tables from migration 0002).

Placeholder for the alerts work: the :class:`AlertingMixin` half of
:class:`~monitor.store.Store`.
"""

from __future__ import annotations

__all__ = ["AlertingMixin"]


class AlertingMixin:
    """Reads and writes of incidents and outbox messages."""
