"""Options shared by several ``modelhealth`` commands, declared once.

Imports only typer (and the light :mod:`modelhealth.errors`), like every module
of :mod:`modelhealth.cli`, so that
``modelhealth --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from modelhealth.errors import FailOn

__all__ = ["DbOpt", "FailOnOpt", "JsonOpt", "RulesOpt", "SpoolOpt"]

DbOpt = Annotated[
    Optional[str],  # noqa: UP045 - typer needs Optional at runtime on 3.10
    typer.Option(
        "--db",
        help="Store URL or SQLite file [env MODELHEALTH_DB; default ./modelhealth.db].",
        show_default=False,
    ),
]
"""``--db``: the store."""

RulesOpt = Annotated[
    Path, typer.Option("--rules", "-r", help="The model's rules file (YAML).")
]
"""``--rules``: one model's rules file."""

JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print the machine-readable result on stdout.")
]
"""``--json``: machine-readable output on stdout."""

FailOnOpt = Annotated[
    FailOn,
    typer.Option(
        "--fail-on",
        help="Exit 1 when a check of this severity or worse fails "
        "(never: exit 0 whatever failed).",
        case_sensitive=False,
    ),
]
"""``--fail-on``: the severity that fails the pipeline."""

SpoolOpt = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option(
        "--spool",
        help="Where a run waits when the store is down "
        "[env MODELHEALTH_SPOOL; default ./modelhealth-spool].",
        show_default=False,
    ),
]
"""``--spool``: the local spool folder for runs the store could not take."""
