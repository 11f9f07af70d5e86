"""CLI commands (placeholder until their work lands): see register().

Registered on the main app by :func:`register`; imports only typer at module level
so that ``modelhealth --help`` stays fast.
"""

from __future__ import annotations

import typer

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
