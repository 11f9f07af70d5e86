"""``modelhealth``: the command line.

Each command is a thin layer over the Python API (``modelhealth.api``) and the store.
Heavy modules (pandas, SQLAlchemy, pandera) are imported inside the commands, so
``modelhealth --help`` starts fast. :func:`main` turns every expected error into one
paragraph on stderr and the documented exit code (docs/cli.md); a traceback only
with ``--debug``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, Optional

import typer

from modelhealth.cli.console import console as new_console
from modelhealth.cli.console import progress as show_progress
from modelhealth.cli.options import DbOpt, FailOnOpt, RulesOpt, SpoolOpt
from modelhealth.errors import ExitCode, FailOn, MonitorError

__all__ = ["app", "main"]

app = typer.Typer(
    name="modelhealth",
    help="Model health monitoring: check each production run against declarative "
    "rules, store the results, alert, report.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    # plain help: rich's help formatter costs ~0.2 s of start-up on every call
    rich_markup_mode=None,
)
rules_app = typer.Typer(
    help="Work with rules files.", no_args_is_help=True, rich_markup_mode=None
)
db_app = typer.Typer(
    help="Manage the store.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(rules_app, name="rules")
app.add_typer(db_app, name="db")

_state = {"debug": False}


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"modelhealth {version('modelhealth')}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks and debug logs.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    _state["debug"] = debug
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


@app.command()
def check(
    rules: RulesOpt,
    run_id: Annotated[
        str, typer.Option("--run-id", help="The pipeline's id for this run.")
    ],
    inputs: Annotated[
        Path, typer.Option("--inputs", help="The run's inputs: Parquet or CSV.")
    ],
    predictions: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(help="Predictions file, if not columns of the inputs."),
    ] = None,
    labels: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(help="Labels file, if not columns of the inputs."),
    ] = None,
    model_version: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--model-version", help="The model version that made the run."),
    ] = None,
    db: DbOpt = None,
    fail_on: FailOnOpt = FailOn.CRITICAL,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Print the machine-readable report on stdout."),
    ] = False,
    no_alerts: Annotated[
        bool, typer.Option("--no-alerts", help="Do not send alerts.")
    ] = False,
    spool: SpoolOpt = None,
) -> None:
    """Check one production run and store its results.

    This is the post-run hook a pipeline calls right after it wrote the run.
    """
    from modelhealth.api import check_run
    from modelhealth.cli.summary import run_summary

    # With --json, stdout carries the report alone: a console alert route that
    # writes to stdout is sent to stderr for this command.
    quiet_stdout = contextlib.redirect_stdout(sys.stderr) if as_json else nullcontext()
    with show_progress(not as_json) as progress, quiet_stdout:
        report = check_run(
            rules=rules,
            run_id=run_id,
            inputs=inputs,
            predictions=predictions,
            labels=labels,
            model_version=model_version,
            db=db,
            alert=not no_alerts,
            source="cli",
            progress=progress,
            spool=spool,
        )
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2, allow_nan=False))
    else:
        console = new_console()
        for text, style in run_summary(report):
            console.print(text, style=style, markup=False)
    failed = report.failed(fail_on)
    raise typer.Exit(ExitCode.CHECKS_FAILED if failed else ExitCode.OK)


@app.command()
def baseline(
    rules: RulesOpt,
    data: Annotated[
        Path, typer.Option("--data", help="Reference data: Parquet or CSV.")
    ],
    metrics: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            help='Pre-deployment metrics, a JSON object like {"roc_auc": 0.81}.'
        ),
    ] = None,
    model_version: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--model-version", help="The model version [default: default]."),
    ] = None,
    db: DbOpt = None,
) -> None:
    """Register the reference that later runs compare with.

    The reference is the profile of --data (training or validation data) and,
    optionally, pre-deployment metrics.
    """
    from modelhealth.api import register_baseline

    record = register_baseline(
        rules=rules, data=data, metrics=metrics, model_version=model_version, db=db
    )
    n_metrics = f", {len(record.metrics)} metric(s)" if record.metrics else ""
    typer.echo(
        f"registered baseline {record.version!r} for model {record.model!r}: "
        f"{record.row_count:,} rows, "
        f"{len(record.profile.get('columns', {}))} columns{n_metrics}"
    )


@rules_app.command("validate")
def rules_validate(
    files: Annotated[list[Path], typer.Argument(help="Rules files to validate.")],
) -> None:
    """Validate rules files; print every problem with file:line:column."""
    from modelhealth.config import load_rules
    from modelhealth.rules.errors import RulesError

    bad = 0
    for path in files:
        try:
            rule_set = load_rules(path)
        except RulesError as exc:
            bad += 1
            typer.echo(str(exc), err=True)
            continue
        enabled = sum(c.enabled for c in rule_set.checks)
        typer.echo(f"{path}: ok (model {rule_set.model!r}, {enabled} checks)")
    raise typer.Exit(ExitCode.USAGE if bad else ExitCode.OK)


@db_app.command("upgrade")
def db_upgrade(db: DbOpt = None) -> None:
    """Apply the store's migrations (done automatically on first use too)."""
    from modelhealth.api import open_store

    store = open_store(db)
    try:
        revision = store.upgrade()
        typer.echo(f"{store.url}: at revision {revision}")
    finally:
        store.close()


@app.command()
def status(
    model: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--model", "-m", help="Show this model's recent runs."),
    ] = None,
    limit: Annotated[int, typer.Option(help="How many runs to show.", min=1)] = 30,
    db: DbOpt = None,
) -> None:
    """Show the models' health, or one model's recent runs."""
    from modelhealth.api import open_store
    from modelhealth.cli.history import print_history, print_models

    store = open_store(db, existing=True)
    try:
        if model:
            print_history(new_console(), store, model, limit=limit)
        else:
            print_models(new_console(), store)
    finally:
        store.close()


@app.command()
def demo(
    directory: Annotated[
        Path,
        typer.Option(
            "--dir", help="Where to write the demo's data, rules and database."
        ),
    ] = Path("modelhealth-demo"),
    db: DbOpt = None,
    days: Annotated[
        int, typer.Option(help="How many daily runs to simulate.", min=1)
    ] = 30,
) -> None:
    """Simulate a churn model's month in production.

    Training data and a baseline, then daily runs with drift creeping in and a
    schema break, each checked into SQLite.
    """
    from modelhealth.cli.demo import run_demo

    run_demo(directory, db=db, days=days, console=new_console())


def _fail(message: str, code: int) -> int:
    typer.echo(message, err=True)
    return code


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return (and, as a script, exit with) the exit code."""
    code: int
    try:
        # typer handles usage errors itself (message, exit 2) and ends every
        # command with SystemExit; our own errors propagate to the handlers below
        app(args=argv, prog_name="modelhealth")
        code = ExitCode.OK
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    except MonitorError as exc:
        if _state["debug"]:
            raise
        code = _fail(f"error: {exc}", exc.exit_code)
    except Exception as exc:
        if _state["debug"]:
            raise
        # modelhealth.rules.errors is imported only by the commands that load rules, so
        # that
        # --help does not pay for pydantic; a RulesError implies it was loaded.
        rules_errors = sys.modules.get("modelhealth.rules.errors")
        if rules_errors is not None and isinstance(exc, rules_errors.RulesError):
            code = _fail(str(exc), ExitCode.USAGE)
        else:  # a bug: say so plainly, exit 3 (nothing was checked), no traceback
            logging.getLogger("modelhealth").debug("unexpected error", exc_info=True)
            code = _fail(
                f"error: unexpected {type(exc).__name__}: {exc}\n"
                "  this is a bug in modelhealth; run again with --debug for the "
                "traceback and report it",
                ExitCode.NOT_CHECKED,
            )
    if argv is None:
        sys.exit(code)
    return code


def _register_command_modules() -> None:
    import importlib

    for name in ("alerts", "labels", "gate", "service", "report", "spool"):
        importlib.import_module(f"modelhealth.cli.{name}").register(app)


_register_command_modules()
