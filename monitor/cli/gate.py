"""``modelhealth gate``: evaluate a candidate version on holdout data, store the
verdict and exit 0 (it may deploy) or 1 (it may not), for a CI/CD pipeline
(:func:`modelhealth.run.gate.evaluate_candidate`).

Registered on the main app by :func:`register`; imports only typer at module level
so that ``modelhealth --help`` stays fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from modelhealth.cli.console import console as new_console
from modelhealth.cli.options import DbOpt as _Db
from modelhealth.cli.options import JsonOpt as _Json
from modelhealth.cli.options import JunitOpt as _Junit
from modelhealth.cli.options import RulesOpt as _Rules

__all__ = ["register"]


def gate(
    rules: _Rules,
    candidate_version: Annotated[
        str,
        typer.Option("--candidate-version", help="The model version to evaluate."),
    ],
    data: Annotated[
        Path,
        typer.Option(
            "--data",
            help="Holdout data with the candidate's predictions and the labels.",
        ),
    ],
    db: _Db = None,
    as_json: _Json = False,
    junit_xml: _Junit = None,
) -> None:
    """Evaluate a candidate version on holdout data; exit 0 if it may deploy, else 1."""
    from modelhealth.cli.summary import STYLE, result_line
    from modelhealth.errors import ExitCode
    from modelhealth.run.gate import evaluate_candidate

    verdict = evaluate_candidate(
        rules=rules, candidate_version=candidate_version, data=data, db=db
    )
    if junit_xml is not None:
        from modelhealth.cli.junit import gate_xml, write_junit

        write_junit(junit_xml, gate_xml(verdict))
    if as_json:
        typer.echo(json.dumps(verdict.to_dict(), indent=2, allow_nan=False))
    else:
        console = new_console()
        word, style = ("PASS", "bold green") if verdict.passed else ("FAIL", "bold red")
        against = (
            f" against baseline {verdict.baseline_version}"
            if verdict.baseline_version
            else " (no baseline registered)"
        )
        console.print(
            f"{word} {verdict.model} {verdict.candidate_version}: "
            f"{verdict.row_count:,} holdout rows{against}",
            style=style,
            markup=False,
        )
        for r in verdict.results:
            console.print(result_line(r), style=STYLE[r.status], markup=False)
    raise typer.Exit(ExitCode.OK if verdict.passed else ExitCode.CHECKS_FAILED)


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("gate")(gate)
