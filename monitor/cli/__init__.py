"""``modelhealth``: the command line.

:mod:`~modelhealth.cli.app` holds the Typer app and :func:`main`; each other module
adds one group of commands (``check`` and ``baseline``, ``labels``, ``gate``,
``alerts``, ``serve``...), and :mod:`~modelhealth.cli.demo` the demo. Every module
here imports only typer at its top, so that ``modelhealth --help`` stays fast.
"""

from __future__ import annotations

from modelhealth.cli.app import app, main

__all__ = ["app", "main"]
