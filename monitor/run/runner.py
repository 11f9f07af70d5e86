"""Check one run: reference, profile, every check, store, alerts.

The flow of DESIGN.md in one function, :func:`run`. It never raises because of bad
data: a check that raises becomes an ``errored`` result (the traceback goes to the
log), and the other checks still run and are stored. When the store cannot take
the checked run (down, restarting, or the connection cut mid-write), the run goes
to the local spool (:mod:`modelhealth.run.spool`) and the verdict stands; only a
run that could neither be stored nor spooled raises
(:class:`~modelhealth.errors.StorageError`). With no store at all (unreachable
from the start) the checks run without a reference, and the run is spooled.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from modelhealth.checks import registry as check_registry
from modelhealth.checks.base import (
    MISSING_REFERENCE,
    RECENT_RUNS,
    CheckContext,
    CheckError,
    CheckResult,
    Status,
    utcnow,
)
from modelhealth.checks.passes import FailedPass
from modelhealth.engine import Engine, RunData, get_engine, reads_rows, scan_run
from modelhealth.errors import StorageError
from modelhealth.report import RunReport
from modelhealth.rules.models import CheckParams, RuleSet
from modelhealth.run import spool as spooling
from modelhealth.run.history import graded_on_history
from modelhealth.run.outbox import check_budget, flush
from modelhealth.run.policy import alert_policy
from modelhealth.run.predictions import kept_columns, predictions_to_keep
from modelhealth.run.reference import resolve_reference

if TYPE_CHECKING:
    import pandas as pd

    from modelhealth.alerts.incidents import AlertPolicy
    from modelhealth.store import Store

__all__ = ["Progress", "publish", "quiet", "run", "run_checks"]

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


def quiet(_: str) -> None:
    return None


def _run_one(params: CheckParams, ctx: CheckContext) -> list[CheckResult]:
    started = utcnow()
    cls = check_registry.get(params.kind)
    check = cls(params)

    def single(status: Status, message: str) -> list[CheckResult]:
        return [check.result(status, message=message, started_at=started)]

    failed = ctx.passes.get(params.id)
    if isinstance(failed, FailedPass):
        return single(Status.ERRORED, failed.message)

    if cls.needs_reference and (ctx.reference is None or ctx.reference.profile is None):
        why = (
            f"the reference could not be read ({ctx.reference_error}); the run is "
            "spooled and checked without it"
            if ctx.reference_error
            else f"no reference for model {ctx.rule_set.model!r} yet; register one "
            "with 'modelhealth baseline' or let runs accumulate for a window reference"
        )
        missing = check.missing_reference(why)
        return [_grade_missing(missing, params, ctx.rule_set)]
    try:
        from modelhealth.checks.segments import run_segmented

        return [
            _grade_missing(r, params, ctx.rule_set) for r in run_segmented(check, ctx)
        ]
    except CheckError as exc:
        return single(Status.ERRORED, str(exc))
    except Exception as exc:  # a bug or a library failure: keep the run going
        log.exception("check %r raised", params.id)
        return single(Status.ERRORED, f"{type(exc).__name__}: {exc}")


_ON_MISSING = {"skip": Status.SKIPPED, "warn": Status.WARNED, "fail": Status.ERRORED}


def _grade_missing(
    result: CheckResult, params: CheckParams, rule_set: RuleSet
) -> CheckResult:
    """A result not graded for want of a reference, as ``on_missing_reference``
    says (the check's, else the rule set's): skipped, warned or errored."""
    if not result.details.get(MISSING_REFERENCE):
        return result
    policy = params.on_missing_reference or rule_set.on_missing_reference
    status = _ON_MISSING[policy]
    message = result.message
    if status is not Status.SKIPPED:
        message += " (on_missing_reference: skip or warn to accept that)"
    return replace(
        result,
        status=status,
        message=message,
        details={**result.details, "on_missing_reference": policy},
    )


def run_checks(ctx: CheckContext, progress: Progress = quiet) -> list[CheckResult]:
    """Run every enabled check of ``ctx.rule_set``; never raises."""
    results: list[CheckResult] = []
    enabled = [c for c in ctx.rule_set.checks if c.enabled]
    for i, params in enumerate(enabled, start=1):
        progress(f"check {i}/{len(enabled)}: {params.id} ({params.kind})")
        results.extend(_run_one(params, ctx))
    return results


def publish(
    report: RunReport,
    rule_set: RuleSet,
    *,
    store: Store | None,
    report_url: str | None = None,
    alert: bool = True,
    predictions: tuple[pd.DataFrame, str] | None = None,
    spool: str | Path | None = None,
    unreachable: StorageError | None = None,
) -> RunReport:
    """Store a checked run with its incidents and alerts, then deliver the alerts.

    The run, its results, the incidents they open or resolve and the messages
    those call for are written in one transaction (the outbox). Delivery follows
    within a small time budget (``MODELHEALTH_ALERT_BUDGET``, 5 s): what cannot be
    delivered yet waits in the outbox, and never fails the run.

    Args:
        report: the checked run.
        rule_set: the model's rules (their routes, with the service's).
        store: where to save.
        report_url: the link to the run's page, for the messages.
        alert: queue and send messages; ``False`` still tracks incidents.
        predictions: predictions and their key column to keep for late labels.
        spool: the spool folder for a run the store cannot take
            (:func:`modelhealth.run.spool.spool_dir` by default).
        unreachable: why ``store`` is ``None`` (the store could not be opened).

    Returns:
        The report, with ``run_pk`` set; ``None`` when it was spooled.

    Raises:
        StorageError: the run could be neither saved nor spooled.
    """
    policy = alert_policy(rule_set, report_url, alert=alert)
    try:
        if store is None:
            raise unreachable or StorageError("the store", "not opened")
        pk = store.save_run(report, alerts=policy, predictions=predictions)
    except StorageError as exc:
        _spool(report, policy, predictions, spool, exc)
        return report
    report = replace(report, run_pk=pk, newer_run=_newer_run(store, report))
    if alert:
        _flush(store)
    return report


def _newer_run(store: Store, report: RunReport) -> str | None:
    """The model's latest run when it is not this one (a backfill or re-check)."""
    try:
        latest = store.latest_run(report.model, without_prefix="freshness@")
    except StorageError as exc:  # stored already; only the note is missing
        log.warning("%s; could not tell whether a newer run exists", exc)
        return None
    if latest is None or latest.run_id == report.run_id:
        return None
    return latest.run_id


def _spool(
    report: RunReport,
    policy: AlertPolicy,
    predictions: tuple[pd.DataFrame, str] | None,
    folder: str | Path | None,
    error: StorageError,
) -> Path:
    where = spooling.spool_dir(folder)
    try:
        path = spooling.write(where, report, alerts=policy, predictions=predictions)
    except OSError as exc:
        log.error("could not spool run %r to %s: %s", report.run_id, where, exc)
        raise error from exc
    log.warning(
        "%s; run %r of model %r spooled to %s (modelhealth spool replay stores it)",
        error,
        report.run_id,
        report.model,
        path,
    )
    return path


def _flush(store: Store) -> None:
    try:
        stats = flush(store, budget=check_budget())
    except Exception as exc:  # delivery must never lose the stored run
        log.warning("could not deliver alerts now; they wait in the outbox: %s", exc)
        return
    for channel, detail in stats.failures.items():
        log.warning("alert delivery failed: %s: %s", channel, detail)
    if stats.pending:
        log.warning(
            "alerts: %s; the rest wait in the outbox (modelhealth alerts pending)",
            stats,
        )


def run(
    rule_set: RuleSet,
    *,
    run_id: str,
    data: RunData | pd.DataFrame,
    store: Store | None,
    engine: Engine | None = None,
    model_version: str | None = None,
    source: str = "python",
    details: Mapping[str, Any] | None = None,
    now: datetime | None = None,
    alert: bool = True,
    report_url: str | None = None,
    progress: Progress = quiet,
    spool: str | Path | None = None,
    unreachable: StorageError | None = None,
) -> RunReport:
    """Check one run's data against the rules, store everything, send alerts.

    Args:
        rule_set: the model's rules.
        run_id: the pipeline's id for this run; checking it again replaces it.
        data: the run's data (inputs, predictions, labels), or one frame of
            inputs with prediction and label columns.
        store: where the reference is read and the run is written.
        engine: what reads the data (the local engine by default).
        model_version: the version that produced the run.
        source: who asked (``cli``, ``python``, ``api``, ``scheduler``).
        details: JSON-able extras stored with the run (input paths...).
        now: the run's time (tz-aware): where it stands in history, incidents
            and alerts. Defaults to the stored run's time when ``run_id`` is
            checked again, else to now.
        alert: send alerts through the rules' routes.
        report_url: base URL of the web report, for links in alerts.
        progress: called with a short line before each step.
        spool: the spool folder, for a run the store cannot take.
        unreachable: why ``store`` is ``None``: checks run without a reference
            and the run is spooled.

    Returns:
        The report, with ``run_pk`` set (``None`` when spooled).

    Raises:
        StorageError: the run could be neither stored nor spooled.
    """
    # A run's time is its place in history: given, else the stored run's when it
    # is checked again (a re-check never makes an old run the latest), else now.
    stored = None
    if store is not None:
        try:
            stored = store.run(rule_set.model, run_id)
        except StorageError as exc:  # went down since it was opened
            log.warning("%s; checking without the store's reference", exc)
            store, unreachable = None, exc
    started = now or (stored.started_at if stored is not None else None) or utcnow()
    clock = time.monotonic()
    progress("reading the reference")
    reference, recent = None, []
    if store is not None:
        try:
            reference = resolve_reference(
                store, rule_set, exclude_run_id=run_id, before=started
            )
            # runs the scheduler records itself (freshness, missing source) hold
            # no data: they say nothing about a run's size or the last data run;
            # and only runs before this one's time: a backfilled run is compared
            # with the history it had, not with what came after it
            recent = [
                r
                for r in store.runs(
                    rule_set.model, limit=3 * RECENT_RUNS, until=started
                )
                if r.run_id != run_id and not r.details.get("verdict")
            ]
        except StorageError as exc:  # went down since it was opened
            log.warning("%s; checking without the store's reference", exc)
            store, unreachable = None, exc
    if not isinstance(data, RunData):
        data = RunData(inputs=data)
    engine = engine or get_engine()
    progress(f"reading and profiling the run ({engine.name} engine)")
    keep = kept_columns(rule_set)
    scan = scan_run(
        engine,
        data,
        rule_set,
        reference=reference,
        keep=keep or None,
        sample=reads_rows(rule_set.checks),
    )
    profile = scan.profile
    ctx = CheckContext(
        rule_set=rule_set,
        run_id=run_id,
        frame=scan.frame,
        profile=profile,
        passes=scan.passes,
        row_count=scan.rows,
        sampled=scan.sampled,
        reference=reference,
        model_version=model_version,
        now=started,
        recent_row_counts=tuple(r.row_count for r in recent)[:RECENT_RUNS],
        last_run_at=recent[0].finished_at if recent else None,
        reference_error=str(unreachable) if unreachable is not None else None,
    )
    results = graded_on_history(run_checks(ctx, progress), ctx, store)
    report = RunReport(
        model=rule_set.model,
        run_id=run_id,
        results=tuple(results),
        profile=profile.to_dict(),
        row_count=scan.rows,
        started_at=started,
        finished_at=started + timedelta(seconds=time.monotonic() - clock),
        model_version=model_version,
        reference=reference.label if reference else None,
        source=source,
        details=dict(details or {}),
        replaced=stored is not None,
    )
    progress("storing results")
    return publish(
        report,
        rule_set,
        store=store,
        report_url=report_url,
        alert=alert,
        predictions=predictions_to_keep(rule_set, scan.kept, profile),
        spool=spool,
        unreachable=unreachable,
    )
