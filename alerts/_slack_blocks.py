"""The words of :mod:`modelhealth.alerts.render` laid out as Slack Block Kit blocks.

A header with the title, one section per result (worst first, at most
:data:`~modelhealth.alerts.render.MAX_LINES`, the rest counted), and a context line
with the
run and a link to the report. Slack shows ``text`` in notifications and where
blocks cannot be shown, so the plain text is always sent too.
"""

from __future__ import annotations

from typing import Any

from modelhealth.alerts.base import Alert
from modelhealth.alerts.render import MAX_LINES, describe, ordered, title

__all__ = ["blocks"]

_EMOJI = {
    "problem": ":rotating_light:",
    "reminder": ":hourglass:",
    "resolved": ":white_check_mark:",
    "test": ":wave:",
}


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def blocks(alert: Alert) -> list[dict[str, Any]]:
    """The Block Kit blocks of one alert."""
    head = f"{_EMOJI[alert.kind]} {title(alert)}"
    out: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": head[:150]}}
    ]
    results = ordered(alert)
    for r in results[:MAX_LINES]:
        line = _escape(describe(r, alert.streak(r)))
        out.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"`{r.severity.value}` {line}"},
            }
        )
    if len(results) > MAX_LINES:
        more = f"... and {len(results) - MAX_LINES} more"
        out.append({"type": "section", "text": {"type": "mrkdwn", "text": more}})
    context = f"model *{_escape(alert.model)}*"
    if alert.model_version:
        context += f" version *{_escape(alert.model_version)}*"
    context += f", run `{_escape(alert.run_id)}`"
    if alert.report_url:
        context += f" | <{alert.report_url}|open the report>"
    out.append({"type": "context", "elements": [{"type": "mrkdwn", "text": context}]})
    return out
