"""Reports into terminal text: the compact, worst-first summary ``check`` prints.

Status is carried by words and symbols, colour only adds to them, so the summary
reads the same in a CI log, a pipe or a screen reader.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timezone

from modelhealth.alerts.render import format_threshold, format_value
from modelhealth.checks.base import CheckResult, Status
from modelhealth.report import RunReport

__all__ = ["SYMBOL", "result_line", "run_summary"]

SYMBOL = {
    Status.FAILED: "FAIL",
    Status.ERRORED: "ERR ",
    Status.WARNED: "WARN",
    Status.SKIPPED: "SKIP",
    Status.PASSED: "ok  ",
}
STYLE = {
    Status.FAILED: "bold red",
    Status.ERRORED: "bold magenta",
    Status.WARNED: "yellow",
    Status.SKIPPED: "dim",
    Status.PASSED: "green",
}


def result_line(r: CheckResult) -> str:
    """``FAIL input-schema[age]  critical  3 rows fail ge(18): -1, 0, 7``."""
    name = r.check_id + (f"[{r.subject}]" if r.subject else "")
    what = r.message
    if not what and r.value is not None:
        what = format_value(r.value)
        if r.threshold:
            what += f" ({format_threshold(r.threshold)})"
    return f"{SYMBOL[r.status]} {name:<28} {r.severity.value:<8} {what}"


def run_summary(report: RunReport, *, show_passed: int = 0) -> list[tuple[str, str]]:
    """Lines (text, rich style) for one run: a headline, problems worst first, counts.

    Args:
        report: the checked run.
        show_passed: how many passed results to list (the rest are counted).
    """
    counts = report.counts()
    took = (report.finished_at - report.started_at).total_seconds()
    version = f" ({report.model_version})" if report.model_version else ""
    ref = f" vs {report.reference}" if report.reference else " (no reference yet)"
    parts = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    lines: list[tuple[str, str]] = [
        (
            f"{report.model}{version} run {report.run_id}{ref}: "
            f"{report.status.value.upper()} - {parts or 'no checks'} "
            f"[{report.row_count:,} rows, {took:.1f}s]",
            STYLE[report.status],
        )
    ]
    when = report.started_at.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    if report.replaced:
        lines.append(
            (f"  replaced the stored run {report.run_id!r} (run time {when})", "bold")
        )
    if report.newer_run is not None:
        lines.append(
            (
                f"  run time {when} is before the latest run "
                f"{report.newer_run!r}: stored in the history, no incident changed, "
                "no alert sent",
                "dim",
            )
        )
    ordered: Sequence[CheckResult] = report.worst_first()
    passed = 0
    for r in ordered:
        if r.status is Status.PASSED:
            passed += 1
            if passed > show_passed:
                continue
        lines.append(("  " + result_line(r), STYLE[r.status]))
    hidden = passed - min(passed, show_passed)
    if hidden:
        lines.append((f"  ... and {hidden} passed", "dim"))
    return lines
