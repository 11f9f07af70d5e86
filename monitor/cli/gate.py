"""``modelhealth gate``: evaluate a candidate version on holdout data, store the
verdict and exit 0 (it may deploy) or 1 (it may not), for a CI/CD pipeline
(:func:`modelhealth.run.gate.evaluate_candidate`).

With ``--champion-column`` or ``--champion-predictions`` the candidate is compared
with the current model on the same rows; ``--fail-on`` chooses the severity that
blocks, as for ``check`` (without it, any failed or errored check blocks).

Registered on the main app by :func:`register`; imports only typer at module level
so that ``modelhealth --help`` stays fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from modelhealth.cli.console import console as new_console
from modelhealth.cli.options import DbOpt as _Db
from modelhealth.cli.options import JsonOpt as _Json
from modelhealth.cli.options import JunitOpt as _Junit
from modelhealth.cli.options import RulesOpt as _Rules
from modelhealth.errors import FailOn

if TYPE_CHECKING:
    from modelhealth.run.gate import GateVerdict

__all__ = ["promote_verdict", "register", "verdict_lines"]

_HEADLINE = {
    "passed": ("PASS", "bold green"),
    "inconclusive": ("PASS (inconclusive)", "bold yellow"),
    "failed": ("FAIL", "bold red"),
}


def verdict_lines(verdict: GateVerdict) -> list[tuple[str, str]]:
    """Lines (text, rich style) for a verdict: the decision, then every result."""
    from modelhealth.cli.summary import STYLE, result_line

    word, style = _HEADLINE[verdict.decision]
    if verdict.champion:
        against = f" against champion {verdict.champion}"
    elif verdict.baseline_version:
        against = f" against baseline {verdict.baseline_version}"
    else:
        against = " (no baseline registered)"
    unlabelled = (
        f" ({verdict.unlabelled_rows:,} without a label left out of the metrics)"
        if verdict.unlabelled_rows
        else ""
    )
    lines = [
        (
            f"{word} {verdict.model} {verdict.candidate_version}: "
            f"{verdict.row_count:,} holdout rows{unlabelled}{against}",
            style,
        )
    ]
    lines += [("  " + result_line(r), STYLE[r.status]) for r in verdict.results]
    if verdict.pk is not None:
        then = (
            f"; promote it with 'modelhealth baseline --from-gate {verdict.pk}'"
            if verdict.passed
            else ""
        )
        lines.append((f"verdict {verdict.pk} stored{then}", "dim"))
    return lines


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
    champion_column: Annotated[
        Optional[str],  # noqa: UP045 - typer needs Optional at runtime on 3.10
        typer.Option(
            "--champion-column",
            help="The holdout column with the current model's predictions.",
        ),
    ] = None,
    champion_predictions: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--champion-predictions",
            help="The current model's predictions on the holdout rows (Parquet "
            "or CSV), joined on the rules' label.key.",
        ),
    ] = None,
    champion_version: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--champion-version",
            help="The champion's version, for the verdict [default: the baseline's].",
        ),
    ] = None,
    db: _Db = None,
    fail_on: Annotated[
        Optional[FailOn],  # noqa: UP045
        typer.Option(
            "--fail-on",
            help="Exit 1 when a check of this severity or worse fails "
            "(warning: inconclusive comparisons too) [default: any failure].",
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
    as_json: _Json = False,
    junit_xml: _Junit = None,
) -> None:
    """Evaluate a candidate version on holdout data; exit 0 if it may deploy, else 1."""
    from modelhealth.errors import ExitCode
    from modelhealth.run.gate import evaluate_candidate

    verdict = evaluate_candidate(
        rules=rules,
        candidate_version=candidate_version,
        data=data,
        db=db,
        champion_column=champion_column,
        champion_predictions=champion_predictions,
        champion_version=champion_version,
        fail_on=fail_on,
    )
    if junit_xml is not None:
        from modelhealth.cli.junit import gate_xml, write_junit

        write_junit(junit_xml, gate_xml(verdict))
    if as_json:
        typer.echo(json.dumps(verdict.to_dict(), indent=2, allow_nan=False))
    else:
        console = new_console()
        for text, style in verdict_lines(verdict):
            console.print(text, style=style, markup=False)
    raise typer.Exit(ExitCode.OK if verdict.passed else ExitCode.CHECKS_FAILED)


def promote_verdict(
    rules: Path,
    verdict_id: int,
    *,
    data: Path | None,
    metrics: Path | None,
    db: str | None,
) -> None:
    """``modelhealth baseline --from-gate``: register a passed candidate."""
    from modelhealth.errors import UsageError
    from modelhealth.run.promote import promote

    if metrics is not None:
        raise UsageError(
            "--from-gate registers the metrics the gate measured; leave out --metrics"
        )
    record, verdict = promote(rules=rules, verdict_id=verdict_id, db=db, data=data)
    typer.echo(
        f"registered baseline {record.version!r} for model {record.model!r} from "
        f"gate verdict {verdict.pk} ({verdict.decision}, "
        f"{verdict.created_at:%Y-%m-%d %H:%M} UTC): {record.row_count:,} holdout "
        f"rows, {len(record.profile.get('columns', {}))} columns, "
        f"{len(record.metrics)} metric(s)"
    )


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("gate")(gate)
