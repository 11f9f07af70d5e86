"""Options shared by several ``modelhealth`` commands, declared once.

Imports only typer (and the light :mod:`modelhealth.errors`), like every module
of :mod:`modelhealth.cli`, so that
``modelhealth --help`` stays fast.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from modelhealth.errors import FailOn

if TYPE_CHECKING:
    from modelhealth.engine import EngineSettings
    from modelhealth.rules.models import RuleSet

__all__ = [
    "BatchRowsOpt",
    "DbOpt",
    "EngineOpt",
    "FailOnOpt",
    "JsonOpt",
    "JunitOpt",
    "RulesOpt",
    "RunTimeOpt",
    "SparkMasterOpt",
    "SpoolOpt",
    "StrictOpt",
    "engine_settings",
    "load_rules_warning",
    "parse_time",
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


RunTimeOpt = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--run-time",
        help="When the run happened (ISO 8601, UTC without an offset; a date is "
        "its midnight UTC): its place in the history, incidents and alerts. "
        "Default: the stored run's time when the run id is checked again, else now.",
        show_default=False,
    ),
]
"""``--run-time``: the run's time, for backfills and re-checks."""


def parse_time(text: str, option: str) -> datetime:
    """An ISO 8601 time or date from the command line, tz-aware (UTC by default).

    Raises:
        UsageError: ``text`` is not a time; the message names ``option``.
    """
    from modelhealth.errors import UsageError

    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"{option}: {text!r} is not a time; write e.g. 2026-11-25, "
            "2026-11-25T06:00 (UTC) or 2026-11-25T07:00+01:00"
        ) from None
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)


JunitOpt = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option(
        "--junit-xml",
        help="Also write the results as JUnit XML to this file, for CI servers.",
        metavar="FILE",
    ),
]
"""``--junit-xml``: the results as JUnit XML (:mod:`modelhealth.cli.junit`)."""


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

EngineOpt = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--engine",
        help="What reads the data: local (streams it in batches) or spark "
        "[env MODELHEALTH_ENGINE; default: the rules' engine, else local].",
        show_default=False,
    ),
]
"""``--engine``: the engine that reads the run's data."""

BatchRowsOpt = Annotated[
    Optional[int],  # noqa: UP045
    typer.Option(
        "--batch-rows",
        min=1,
        help="Rows read at a time by the local engine; memory grows with it, "
        "not with the run [env MODELHEALTH_BATCH_ROWS; default 131072].",
        show_default=False,
    ),
]
"""``--batch-rows``: the local engine's batch size."""

SparkMasterOpt = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--spark-master",
        help="The Spark master URL for --engine spark "
        "[env MODELHEALTH_SPARK_MASTER; default local[*]].",
        show_default=False,
    ),
]
"""``--spark-master``: where the Spark engine runs."""


def engine_settings(
    engine: str | None, batch_rows: int | None, spark_master: str | None
) -> EngineSettings | None:
    """The engine settings the options ask for; ``None`` when none was given
    (the rules' ``engine`` and the environment then decide)."""
    if engine is None and batch_rows is None and spark_master is None:
        return None
    from modelhealth.engine import EngineSettings

    return EngineSettings.from_env(
        name=engine, batch_rows=batch_rows, spark_master=spark_master
    )
