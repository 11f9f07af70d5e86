"""Results into words: the one place that decides what an alert says.

Channels only carry what these functions produce, so every channel says the same
thing: model and version, run, what failed with its value against the threshold,
severity, since when and for how many runs in a row, counts per status, and a link
to the run's report when one is configured. Slack's Block Kit layout of the same
words is in :mod:`modelhealth.alerts._slack_blocks`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from modelhealth.alerts.base import Alert, Streak
from modelhealth.checks.base import CheckResult, Status

__all__ = [
    "MAX_LINES",
    "counts",
    "describe",
    "format_threshold",
    "format_time",
    "format_value",
    "ordered",
    "render_json",
    "render_text",
    "streak_text",
    "title",
]

_ICON = {
    Status.FAILED: "x",
    Status.ERRORED: "!",
    Status.WARNED: "~",
    Status.PASSED: "ok",
    Status.SKIPPED: "-",
}
MAX_LINES = 10
"""Results listed in one message; the rest are counted."""


def format_value(value: float | None) -> str:
    """A number for people: 4 significant digits, ``n/a`` when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.4g}"


def format_threshold(threshold: Mapping[str, float]) -> str:
    return ", ".join(f"{k} {format_value(v)}" for k, v in threshold.items())


def format_time(when: datetime) -> str:
    """``2026-03-01 06:00 UTC``."""
    return when.strftime("%Y-%m-%d %H:%M %Z").replace("+00:00", "UTC")


def streak_text(streak: Streak, *, resolved: bool = False) -> str:
    """``since 2026-03-01 06:00 UTC, 3 runs in a row`` (or how long it lasted)."""
    runs = f"{streak.runs} run{'s' if streak.runs != 1 else ''}"
    if resolved:
        return f"failing since {format_time(streak.since)}, {runs}"
    return f"since {format_time(streak.since)}, {runs} in a row"


def describe(result: CheckResult, streak: Streak | None = None) -> str:
    """One line: ``[x] feature-drift[spend] failed: 0.31 (warn 0.1, fail 0.25)``.

    With a streak, `` (since ..., 3 runs in a row)`` is added.
    """
    name = result.check_id + (f"[{result.subject}]" if result.subject else "")
    line = f"[{_ICON[result.status]}] {name} {result.status.value}"
    if result.message:
        line += f": {result.message}"
    elif result.value is not None:
        line += f": {format_value(result.value)}"
        if result.threshold:
            line += f" ({format_threshold(result.threshold)})"
    if streak is not None:
        resolved = result.status is Status.PASSED
        line += f" - {streak_text(streak, resolved=resolved)}"
    return line


def ordered(alert: Alert) -> list[CheckResult]:
    """The alert's results, worst first."""
    return sorted(alert.results, key=lambda r: (-r.status.rank, -r.severity.rank))


def counts(alert: Alert) -> dict[str, int]:
    """Results per status, worst status first: ``{"failed": 3, "warned": 1}``."""
    out: dict[str, int] = {}
    for r in sorted(alert.results, key=lambda r: -r.status.rank):
        out[r.status.value] = out.get(r.status.value, 0) + 1
    return out


def title(alert: Alert) -> str:
    """The headline: ``CRITICAL churn v2 run 2026-03-01: 3 failed, 1 warned``."""
    version = f" {alert.model_version}" if alert.model_version else ""
    where = f"{alert.model}{version} run {alert.run_id}"
    if alert.kind == "test":
        return f"modelhealth test alert for {alert.model}{version}"
    if alert.kind == "acknowledged":
        return f"ACKNOWLEDGED {where}: {alert.note}"
    if alert.kind == "stale":
        return f"CLOSED AS STALE {where}: {alert.note}"
    if alert.kind == "resolved":
        n = len(alert.results)
        return f"RESOLVED {where}: {n} check{'s' if n != 1 else ''} pass again"
    summary = ", ".join(f"{n} {s}" for s, n in counts(alert).items())
    worst = max((r.severity for r in alert.results), key=lambda s: s.rank, default=None)
    sev = f"{worst.value.upper()} " if worst is not None else ""
    still = "STILL FAILING " if alert.kind == "reminder" else ""
    return f"{still}{sev}{where}: {summary}"


def render_text(alert: Alert) -> str:
    """The alert as plain text: a headline, then one line per result, worst first."""
    lines = [title(alert)]
    results = ordered(alert)
    lines += ["  " + describe(r, alert.streak(r)) for r in results[:MAX_LINES]]
    if len(results) > MAX_LINES:
        lines.append(f"  ... and {len(results) - MAX_LINES} more")
    if alert.report_url:
        lines.append(f"  report: {alert.report_url}")
    return "\n".join(lines)


def render_json(alert: Alert) -> dict[str, Any]:
    """The alert as a JSON object (webhook bodies, ``format: json`` consoles)."""
    return {
        "key": alert.key or None,
        "model": alert.model,
        "model_version": alert.model_version,
        "run_id": alert.run_id,
        "kind": alert.kind,
        "status": alert.worst.value,
        "title": title(alert),
        "text": render_text(alert),
        "counts": counts(alert),
        "report_url": alert.report_url,
        "results": [
            {
                **r.to_dict(),
                "streak": s.to_dict() if (s := alert.streak(r)) else None,
            }
            for r in ordered(alert)
        ],
    }
