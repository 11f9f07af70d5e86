"""Options shared by several ``modelhealth`` commands, declared once.

Imports only typer (and the light :mod:`modelhealth.errors`), like every module
of :mod:`modelhealth.cli`, so that
``modelhealth --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from modelhealth.errors import FailOn

if TYPE_CHECKING:
    from modelhealth.rules.models import RuleSet

__all__ = [
    "DbOpt",
    "FailOnOpt",
    "JsonOpt",
    "RulesOpt",
    "StrictOpt",
    "load_rules_warning",
]

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
        help="Exit 1 when a check of this severity or worse fails or errors "
        "(any: whatever its severity; never: exit 0 whatever failed).",
        case_sensitive=False,
    ),
]
"""``--fail-on``: the severity that fails the pipeline."""

StrictOpt = Annotated[
    bool,
    typer.Option(
        "--strict",
        help="Treat warnings as errors: an unset secret variable, a column the "
        "schema does not declare (for deployment checks).",
    ),
]
"""``--strict``: every warning of the rules file is an error."""


def load_rules_warning(path: Path, *, strict: bool = False) -> RuleSet:
    """Load a rules file and print each of its warnings on stderr.

    Raises:
        RulesError: the file is wrong (with ``strict``, a warning is too).
    """
    from modelhealth.config import load_rules

    rule_set = load_rules(path, strict=strict)
    for line in rule_set.warnings:
        typer.echo(f"warning: {line}", err=True)
    return rule_set
