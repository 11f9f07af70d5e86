"""Aggregated reads for the web report (placeholder for the web report work).

The :class:`WebReads` half of :class:`~monitor.store.Store`.
"""

from __future__ import annotations

__all__ = ["WebReads"]


class WebReads:
    """Named, indexed, aggregated queries behind the report's pages."""
