"""CLI commands about a model's quality: late labels and the deployment gate.

- ``modelhealth labels``: join labels that arrived after a run to its kept
  predictions and re-evaluate its metric checks
  (:func:`modelhealth.run.labels.attach_labels`);
- ``modelhealth gate``: evaluate a candidate version on holdout data, store the
  verdict and exit 0 (pass) or 1 (fail) for a CI/CD pipeline
  (:func:`modelhealth.run.gate.evaluate_candidate`).

Registered on the main app by :func:`register`; imports only typer at module level
so that ``modelhealth --help`` stays fast. Errors are :mod:`modelhealth.errors`
exceptions, which the CLI's ``main`` turns into a message and an exit code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from modelhealth.cli.options import DbOpt as _Db
from modelhealth.cli.options import JsonOpt as _Json
from modelhealth.cli.options import RulesOpt as _Rules

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
    fail_on: Annotated[
        str,
        typer.Option(
            "--fail-on",
            help="Exit 1 when a metric check of this severity or worse fails: "
            "critical, warning or never.",
        ),
    ] = "critical",
    as_json: _Json = False,
) -> None:
    """Attach labels that arrived late to a run and re-evaluate its metric checks."""
    from modelhealth.cli.app import _console
    from modelhealth.cli.summary import run_summary
    from modelhealth.errors import ExitCode, UsageError
    from modelhealth.run.labels import attach_labels

    if fail_on not in ("critical", "warning", "never"):
        raise UsageError(
            f"--fail-on must be critical, warning or never, not {fail_on!r}"
        )
    report = attach_labels(
        rules=rules, run_id=run_id, labels=labels_path, key=key, db=db
    )
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2, allow_nan=False))
    else:
        console = _console()
        for text, style in run_summary(report):
            console.print(text, style=style, markup=False)
    failed = [r for r in report.failed(fail_on) if r.kind == "metric"]  # type: ignore[arg-type]
    raise typer.Exit(ExitCode.CHECKS_FAILED if failed else ExitCode.OK)


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
) -> None:
    """Evaluate a candidate version on holdout data; exit 0 if it may deploy, else 1."""
    from modelhealth.cli.app import _console
    from modelhealth.cli.summary import STYLE, result_line
    from modelhealth.errors import ExitCode
    from modelhealth.run.gate import evaluate_candidate

    verdict = evaluate_candidate(
        rules=rules, candidate_version=candidate_version, data=data, db=db
    )
    if as_json:
        typer.echo(json.dumps(verdict.to_dict(), indent=2, allow_nan=False))
    else:
        console = _console()
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
    app.command("labels")(labels)
    app.command("gate")(gate)
