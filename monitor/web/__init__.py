"""The web report of model health history (placeholder until that work lands).

:func:`install` adds the report's pages and static files to the service's FastAPI app.
"""

from __future__ import annotations

from typing import Any

__all__ = ["install"]


def install(app: Any) -> None:
    """Add the report's routes to ``app`` (a FastAPI application)."""
