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
from modelhealth.cli.helptext import FullHelpGroup, click_module
from modelhealth.cli.options import (
    BatchRowsOpt,
    DbOpt,
    EngineOpt,
    FailOnOpt,
    JunitOpt,
    RulesOpt,
    RunTimeOpt,
    SparkMasterOpt,
    SpoolOpt,
    StrictOpt,
    engine_settings,
    load_rules_warning,
    parse_time,
)
from modelhealth.errors import ExitCode, FailOn, MonitorError

__all__ = ["app", "main"]

app = typer.Typer(
    name="modelhealth",
    cls=FullHelpGroup,
    help="Model health monitoring: check each production run against declarative "
    "rules, store the results, alert, report.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    # plain help: rich's help formatter costs ~0.2 s of start-up on every call
    rich_markup_mode=None,
)

_state = {"debug": False, "json": False}

# Loggers of the libraries we drive, whose lines (slack-sdk's retries and request
# failures) are noise beside our own one-line messages unless --verbose.
_LIBRARY_LOGGERS = ("modelhealth.alerts.slack.sdk",)


def _own_lines(record: logging.LogRecord) -> bool:
    """Keep modelhealth's own log lines; drop the libraries'."""
    name = record.name
    library = name.startswith(_LIBRARY_LOGGERS) or not (
        name == "modelhealth" or name.startswith("modelhealth.")
    )
    return not library


def _configure_logging(*, debug: bool, verbose: bool) -> None:
    root = logging.getLogger()
    fresh = not root.handlers  # a test's capture handlers are left as they are
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s"
        if debug or verbose
        else "%(levelname)s: %(message)s",
    )
    if fresh and not (debug or verbose):
        for handler in root.handlers:
            handler.addFilter(_own_lines)


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
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose",
            "-v",
            help="Show info logs, and the log lines of the libraries modelhealth "
            "uses (slack-sdk's retries...).",
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    _state["debug"] = debug
    _configure_logging(debug=debug, verbose=verbose)


@app.command()
def check(
    rules: RulesOpt,
    run_id: Annotated[
        str, typer.Option("--run-id", help="The pipeline's id for this run.")
    ],
    inputs: Annotated[
        str,
        typer.Option(
            "--inputs",
            help="The run's inputs: a Parquet or CSV file, a folder or "
            "hive-partitioned dataset, or a glob (data/*.parquet); with "
            "--engine spark also any URI Spark reads, or table:NAME.",
        ),
    ],
    predictions: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(help="Predictions file, if not columns of the inputs."),
    ] = None,
    labels: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(help="Labels file, if not columns of the inputs."),
    ] = None,
    model_version: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--model-version", help="The model version that made the run."),
    ] = None,
    db: DbOpt = None,
    fail_on: FailOnOpt = FailOn.ANY,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Print the machine-readable report on stdout."),
    ] = False,
    no_alerts: Annotated[
        bool, typer.Option("--no-alerts", help="Do not send alerts.")
    ] = False,
    run_time: RunTimeOpt = None,
    run_time_column: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--run-time-column",
            help="Take the run's time from the data: the latest value of this "
            "column (UTC when it has no zone).",
        ),
    ] = None,
    junit_xml: JunitOpt = None,
    mlflow_run: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--mlflow-run",
            help="Also log the results to this MLflow run (MLFLOW_TRACKING_URI).",
            metavar="RUN_ID",
        ),
    ] = None,
    spool: SpoolOpt = None,
    engine: EngineOpt = None,
    batch_rows: BatchRowsOpt = None,
    spark_master: SparkMasterOpt = None,
    offline: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--offline",
            help="The offline features of the rules' skew checks for this run "
            "(overrides their offline:).",
            metavar="PATH",
        ),
    ] = None,
) -> None:
    """Check one production run and store its results.

    This is the post-run hook a pipeline calls right after it wrote the run.
    Checking a stored run id again replaces that run, at its own run time.
    """
    from modelhealth.api import check_run
    from modelhealth.cli.summary import run_summary

    if mlflow_run is not None:  # first: without MLflow, stop before checking
        from modelhealth.integrations.mlflow import log_report
    at = parse_time(run_time, "--run-time") if run_time is not None else None
    rule_set = load_rules_warning(rules)
    # With --json, stdout carries the report alone: a console alert route that
    # writes to stdout is sent to stderr for this command.
    quiet_stdout = contextlib.redirect_stdout(sys.stderr) if as_json else nullcontext()
    with show_progress(not as_json) as progress, quiet_stdout:
        report = check_run(
            rules=rule_set,
            run_id=run_id,
            inputs=inputs,
            predictions=predictions,
            labels=labels,
            model_version=model_version,
            db=db,
            now=at,
            run_time_column=run_time_column,
            alert=not no_alerts,
            source="cli",
            progress=progress,
            spool=spool,
            engine=engine_settings(engine, batch_rows, spark_master),
            offline=offline,
        )
    if junit_xml is not None:
        from modelhealth.cli.junit import write_report_junit

        write_report_junit(junit_xml, report)
    if mlflow_run is not None:
        log_report(report, run_id=mlflow_run)
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
        Optional[str],  # noqa: UP045
        typer.Option(
            "--data",
            help="Reference data: a Parquet or CSV file, a folder or a glob "
            "(read in batches, like check's --inputs).",
        ),
    ] = None,
    metrics: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            help="Pre-deployment metrics: a JSON file holding an object like "
            '{"roc_auc": 0.81}, or mlflow://RUN_ID for an MLflow run\'s metrics.'
        ),
    ] = None,
    model_version: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--model-version", help="The model version [default: default]."),
    ] = None,
    db: DbOpt = None,
    from_gate: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option(
            "--from-gate",
            help="Promote the candidate of this passed gate verdict: its holdout "
            "profile and metrics (with --data: the same holdout, to fit on).",
        ),
    ] = None,
    strict: StrictOpt = False,
    engine: EngineOpt = None,
    batch_rows: BatchRowsOpt = None,
    spark_master: SparkMasterOpt = None,
    importance: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            help="Feature importance: JSON {feature: importance} or CSV with "
            "columns feature,importance; drifted features are ranked by it."
        ),
    ] = None,
) -> None:
    """Register the reference that later runs compare with.

    The reference is the profile of --data (training or validation data) and,
    optionally, pre-deployment metrics; or, with --from-gate, a gate candidate's.
    """
    from modelhealth.api import register_baseline

    if from_gate is not None:
        from modelhealth.cli.gate import promote_verdict

        promote_verdict(
            rules,
            from_gate,
            data=None if data is None else Path(data),
            metrics=None if metrics is None else Path(metrics),
            db=db,
        )
        return
    if data is None:
        from modelhealth.errors import UsageError

        raise UsageError("baseline needs --data (or --from-gate VERDICT_ID)")
    rule_set = load_rules_warning(rules, strict=strict)
    values: dict[str, float] | Path | None = None if metrics is None else Path(metrics)
    if metrics is not None and metrics.startswith("mlflow://"):
        from modelhealth.integrations.mlflow import run_metrics

        values = run_metrics(metrics)
    record = register_baseline(
        rules=rule_set,
        data=data,
        metrics=values,
        model_version=model_version,
        db=db,
        engine=engine_settings(engine, batch_rows, spark_master),
        importance=importance,
    )
    n_metrics = f", {len(record.metrics)} metric(s)" if record.metrics else ""
    typer.echo(
        f"registered baseline {record.version!r} for model {record.model!r}: "
        f"{record.row_count:,} rows, "
        f"{len(record.profile.get('columns', {}))} columns{n_metrics}"
    )


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

    Training data and a baseline, then daily runs with training-serving skew, a
    short day, a join bug only the joint distribution shows, drift creeping in
    and a schema break, each checked into SQLite, their labels attached a week
    later; the estimated AUC falls before the labels confirm it. It writes, under
    --dir: data/ (training.parquet, one file per day, the feature store's export
    of each day in features/, the labels still to arrive, and holdout.parquet,
    today.parquet, features/today.parquet and today-labels.csv for the README's
    tour),
    metrics.json, rules/churn.yaml and
    rules/base.yaml, modelhealth.db (unless --db names another store) and
    report.html. An earlier demo's data, database and report there are removed
    first.
    """
    from modelhealth.cli.demo import run_demo

    run_demo(directory, db=db, days=days, console=new_console())


def _fail(message: str, code: int) -> int:
    """One paragraph on stderr; with ``--json``, the same as a JSON object on
    stdout too, so a script reading stdout always gets JSON."""
    typer.echo(message, err=True)
    if _state["json"]:
        _fail_json(message.removeprefix("error: "), code)
    return code


def _fail_json(message: str, code: int) -> None:
    lines = message.splitlines() or [message]
    payload = {"ok": False, "error": lines[0], "errors": lines, "exit_code": code}
    typer.echo(json.dumps(payload))


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return (and, as a script, exit with) the exit code."""
    code: int
    args = sys.argv[1:] if argv is None else argv
    _state["json"] = "--json" in args
    try:
        # not standalone: a command's typer.Exit comes back as its code, and
        # click's usage errors come here, to be told once (as JSON too)
        result = app(args=argv, prog_name="modelhealth", standalone_mode=False)
        code = result if isinstance(result, int) else ExitCode.OK
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    except MonitorError as exc:
        if _state["debug"]:
            raise
        code = _fail(f"error: {exc}", exc.exit_code)
    except Exception as exc:
        click = click_module()
        if isinstance(exc, click.ClickException):  # a usage error: exit 2
            exc.show()
            code = exc.exit_code
            help_only = isinstance(exc, click.exceptions.NoArgsIsHelpError)
            if _state["json"] and not help_only:
                _fail_json(exc.format_message(), code)
            return _exit(code, argv)
        if isinstance(exc, typer.Abort):  # Ctrl-C at a prompt
            return _exit(_fail("aborted", 130), argv)
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
    return _exit(code, argv)


def _exit(code: int, argv: list[str] | None) -> int:
    if argv is None:
        sys.exit(code)
    return code


def _register_command_modules() -> None:
    import importlib

    for name in (
        "rules",
        "db",
        "status",
        "init",
        "alerts",
        "labels",
        "gate",
        "backfill",
        "service",
        "report",
        "spool",
    ):
        importlib.import_module(f"modelhealth.cli.{name}").register(app)


_register_command_modules()
