"""Stored predictions, late labels and deployment-gate verdicts (migration 0003).

Placeholder for the check catalogue work: the :class:`LabelsMixin` half of
:class:`~monitor.store.Store`.
"""

from __future__ import annotations

__all__ = ["LabelsMixin"]


class LabelsMixin:
    """Reads and writes of predictions kept for late labels, and gate verdicts."""
