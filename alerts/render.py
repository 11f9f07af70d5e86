"""Results into words: the one place that decides what an alert says.

Channels only carry what these functions produce, so every channel says the same
thing: model and version, run, what failed with its value against the threshold,
severity, and a link to the run's report when one is configured.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from alerts.base import Alert
from checks.base import CheckResult, Status

__all__ = ["describe", "format_threshold", "format_value", "render_json", "render_text"]

_ICON = {
    Status.FAILED: "x",
    Status.ERRORED: "!",
    Status.WARNED: "~",
    Status.PASSED: "ok",
    Status.SKIPPED: "-",
}
_MAX_LINES = 10


def format_value(value: float | None) -> str:
    """A number for people: 4 significant digits, ``n/a`` when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.4g}"


def format_threshold(threshold: Mapping[str, float]) -> str:
    return ", ".join(f"{k} {format_value(v)}" for k, v in threshold.items())


def describe(result: CheckResult) -> str:
    """One line: ``[x] feature-drift[spend] failed: psi 0.31 (warn 0.1, fail 0.25)``."""
    name = result.check_id + (f"[{result.subject}]" if result.subject else "")
    line = f"[{_ICON[result.status]}] {name} {result.status.value}"
    if result.message:
        line += f": {result.message}"
    elif result.value is not None:
        line += f": {format_value(result.value)}"
        if result.threshold:
            line += f" ({format_threshold(result.threshold)})"
    return line


def _headline(alert: Alert) -> str:
    version = f" {alert.model_version}" if alert.model_version else ""
    if alert.kind == "test":
        return f"modelhealth test alert for {alert.model}{version}"
    if alert.kind == "resolved":
        return f"RESOLVED {alert.model}{version} run {alert.run_id}: checks pass again"
    counts: dict[str, int] = {}
    for r in alert.results:
        counts[r.status.value] = counts.get(r.status.value, 0) + 1
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    worst = max((r.severity for r in alert.results), key=lambda s: s.rank, default=None)
    sev = f"{worst.value.upper()} " if worst is not None else ""
    return f"{sev}{alert.model}{version} run {alert.run_id}: {summary}"


def render_text(alert: Alert) -> str:
    """The alert as plain text: a headline, then one line per result, worst first."""
    lines = [_headline(alert)]
    ordered = sorted(alert.results, key=lambda r: (-r.status.rank, -r.severity.rank))
    lines += ["  " + describe(r) for r in ordered[:_MAX_LINES]]
    if len(ordered) > _MAX_LINES:
        lines.append(f"  ... and {len(ordered) - _MAX_LINES} more")
    if alert.report_url:
        lines.append(f"  report: {alert.report_url}")
    return "\n".join(lines)


def render_json(alert: Alert) -> dict[str, Any]:
    return {
        "model": alert.model,
        "model_version": alert.model_version,
        "run_id": alert.run_id,
        "kind": alert.kind,
        "status": alert.worst.value,
        "title": _headline(alert),
        "report_url": alert.report_url,
        "results": [r.to_dict() for r in alert.results],
    }
