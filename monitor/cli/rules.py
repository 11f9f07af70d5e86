"""``modelhealth rules validate`` and ``rules show``: rules files, checked and shown."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from modelhealth.cli.helptext import FullHelpGroup
from modelhealth.cli.options import StrictOpt, load_rules_warning
from modelhealth.errors import ExitCode

__all__ = ["register"]

rules_app = typer.Typer(
    help="Work with rules files.",
    no_args_is_help=True,
    rich_markup_mode=None,
    cls=FullHelpGroup,
)


@rules_app.command("validate")
def rules_validate(
    files: Annotated[list[Path], typer.Argument(help="Rules files to validate.")],
    strict: StrictOpt = False,
) -> None:
    """Validate rules files; print every problem with file:line:column.

    Warnings (an unset secret variable, a column the schema does not declare) are
    printed and do not fail the file, unless --strict.
    """
    from modelhealth.rules.errors import RulesError

    bad = 0
    for path in files:
        try:
            rule_set = load_rules_warning(path, strict=strict)
        except RulesError as exc:
            bad += 1
            typer.echo(str(exc), err=True)
            continue
        enabled = sum(c.enabled for c in rule_set.checks)
        typer.echo(f"{path}: ok (model {rule_set.model!r}, {enabled} checks)")
    raise typer.Exit(ExitCode.USAGE if bad else ExitCode.OK)


@rules_app.command("show")
def rules_show(
    file: Annotated[Path, typer.Argument(help="The rules file to show.")],
) -> None:
    """Print a rules file as it applies: its extends merged, ${VAR}s filled.

    Keys left at their defaults are not printed; docs/rules.md gives them.
    """
    import yaml

    rule_set = load_rules_warning(file)
    data = rule_set.model_dump(mode="json", exclude_unset=True)
    typer.echo(f"# {file}, with extends merged")
    typer.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), nl=False)


def register(app: typer.Typer) -> None:
    """Add the ``rules`` group to ``app``."""
    app.add_typer(rules_app, name="rules")
