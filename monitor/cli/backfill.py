"""``modelhealth backfill``: check a folder of dated runs into history, oldest first.

Each day from ``--since`` to ``--until`` (inclusive) is one run: its id is the date
(``2026-11-25``), its run time the date's midnight in the schedule's timezone (UTC
without one), and its inputs the ``--inputs`` template filled with ``{run_date}``
(and ``{model}``) and expanded as a glob, so ``data/{run_date}/*.parquet`` reads
every part file of the day. A day without data is reported and skipped.

Runs are checked oldest first, so incidents open and resolve as the history did;
a day older than a run already stored changes no incident. Backfilling is about
the past: no alert is sent unless ``--alert``. Registered on the main app by
:func:`register`; imports only typer at module level.
"""

from __future__ import annotations

import glob
import json
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Annotated, Optional
from zoneinfo import ZoneInfo

import typer

from modelhealth.cli.console import console as new_console
from modelhealth.cli.options import DbOpt as _Db
from modelhealth.cli.options import FailOnOpt, load_rules_warning
from modelhealth.cli.options import JsonOpt as _Json
from modelhealth.cli.options import RulesOpt as _Rules
from modelhealth.errors import FailOn

if TYPE_CHECKING:
    pass

__all__ = ["register"]

MAX_DAYS = 3660
"""The longest backfill, in days (ten years): a typo in a year should not start
a week of checks."""


def _day(text: str, option: str) -> date:
    from modelhealth.errors import UsageError

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"{option}: {text!r} is not a date; write e.g. 2026-11-01"
        ) from None


def _days(since: str, until: str) -> list[date]:
    from modelhealth.errors import UsageError

    first, last = _day(since, "--since"), _day(until, "--until")
    if last < first:
        raise UsageError(f"--until {until} is before --since {since}")
    count = (last - first).days + 1
    if count > MAX_DAYS:
        raise UsageError(
            f"--since {since} --until {until} spans {count} days; at most {MAX_DAYS}"
        )
    return [first + timedelta(days=i) for i in range(count)]


def backfill(
    rules: _Rules,
    inputs: Annotated[
        str,
        typer.Option(
            "--inputs",
            help="Path template of one day's inputs, with {run_date} (YYYY-MM-DD) "
            "and glob patterns: 'data/{run_date}/*.parquet'.",
        ),
    ],
    since: Annotated[str, typer.Option("--since", help="The first day (YYYY-MM-DD).")],
    until: Annotated[
        str, typer.Option("--until", help="The last day, included (YYYY-MM-DD).")
    ],
    model_version: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--model-version", help="The model version that made the runs."),
    ] = None,
    db: _Db = None,
    alert: Annotated[
        bool,
        typer.Option(
            "--alert",
            help="Send the alerts the replayed history calls for (default: none).",
        ),
    ] = False,
    fail_on: FailOnOpt = FailOn.ANY,
    as_json: _Json = False,
) -> None:
    """Check a folder of dated runs into the history, oldest first, without alerts."""
    from modelhealth.cli.summary import SYMBOL
    from modelhealth.errors import DataError, ExitCode
    from modelhealth.run.request import RunRequest, check
    from modelhealth.service.sources import fields, fill
    from modelhealth.store.opening import using

    days = _days(since, until)
    rule_set = load_rules_warning(rules)
    tz = rule_set.schedule.timezone if rule_set.schedule else "UTC"
    console = new_console(stderr=True) if as_json else new_console()
    rows: list[dict[str, object]] = []
    failed = False
    with using(db) as store:
        for day in days:
            at = datetime.combine(day, time(), tzinfo=ZoneInfo(tz))
            run_id = day.isoformat()
            pattern = fill(inputs, fields(rule_set.model, run_id, at, tz))
            paths = sorted(glob.glob(pattern))
            if not paths:
                rows.append({"run_id": run_id, "status": None, "inputs": pattern})
                console.print(
                    f"{run_id}: no data ({pattern} matches nothing)", markup=False
                )
                continue
            request = RunRequest(
                rule_set=rule_set,
                run_id=run_id,
                inputs=pattern if len(paths) > 1 else paths[0],  # streamed
                model_version=model_version,
                source="backfill",
                details={"inputs": pattern, "files": len(paths)},
                now=at,
                alert=alert,
            )
            report = check(request, store=store)
            failed = failed or bool(report.failed(fail_on))
            counts = ", ".join(f"{n} {s}" for s, n in report.counts().items() if n)
            note = " (replaced)" if report.replaced else ""
            rows.append(
                {
                    "run_id": run_id,
                    "run_time": at.isoformat(),
                    "status": report.status.value,
                    "counts": report.counts(),
                    "replaced": report.replaced,
                    "inputs": pattern,
                }
            )
            symbol = SYMBOL[report.status].strip()
            console.print(f"{run_id}: {symbol} {counts}{note}", markup=False)
    checked = [r for r in rows if r["status"] is not None]
    if not checked:
        raise DataError(
            f"no data for any day from {since} to {until}: {inputs!r} matched nothing"
        )
    if as_json:
        typer.echo(json.dumps({"model": rule_set.model, "runs": rows}, indent=2))
    else:
        replaced = sum(bool(r["replaced"]) for r in checked)
        console.print(
            f"backfilled {len(checked)} run(s) of model {rule_set.model!r} from "
            f"{since} to {until}: {replaced} replaced, "
            f"{len(rows) - len(checked)} day(s) without data"
            + ("" if alert else "; no alert sent"),
            markup=False,
        )
    raise typer.Exit(ExitCode.CHECKS_FAILED if failed else ExitCode.OK)


def register(app: typer.Typer) -> None:
    app.command("backfill")(backfill)
