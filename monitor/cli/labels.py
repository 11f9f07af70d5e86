"""``modelhealth labels``: labels that arrived after a run, joined to its kept
predictions, and its metric checks evaluated again
(:func:`modelhealth.run.labels.attach_labels`).

Registered on the main app by :func:`register`; imports only typer at module level
so that ``modelhealth --help`` stays fast. Errors are :mod:`modelhealth.errors`
exceptions, which the CLI's ``main`` turns into a message and an exit code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from modelhealth.cli.console import console as new_console
from modelhealth.cli.options import DbOpt as _Db
from modelhealth.cli.options import FailOnOpt
from modelhealth.cli.options import JsonOpt as _Json
from modelhealth.cli.options import JunitOpt as _Junit
from modelhealth.cli.options import RulesOpt as _Rules
from modelhealth.errors import FailOn

__all__ = ["register"]


def labels(
    rules: _Rules,
    run_id: Annotated[
        str, typer.Option("--run-id", help="The stored run the labels belong to.")
    ],
    labels_path: Annotated[
        Path, typer.Option("--labels", help="The labels: Parquet or CSV.")
    ],
    key: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--key", help="The column to join on [default: label.key of the rules]."
        ),
    ] = None,
    db: _Db = None,
    fail_on: FailOnOpt = FailOn.ANY,
    as_json: _Json = False,
    junit_xml: _Junit = None,
) -> None:
    """Attach labels that arrived late to a run and re-evaluate its metric checks."""
    from modelhealth.cli.summary import run_summary
    from modelhealth.errors import ExitCode
    from modelhealth.run.labels import attach_labels

    report = attach_labels(
        rules=rules, run_id=run_id, labels=labels_path, key=key, db=db
    )
    if junit_xml is not None:
        from modelhealth.cli.junit import write_report_junit

        write_report_junit(junit_xml, report)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2, allow_nan=False))
    else:
        console = new_console()
        for text, style in run_summary(report):
            console.print(text, style=style, markup=False)
    failed = [r for r in report.failed(fail_on) if r.kind == "metric"]
    raise typer.Exit(ExitCode.CHECKS_FAILED if failed else ExitCode.OK)


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("labels")(labels)
