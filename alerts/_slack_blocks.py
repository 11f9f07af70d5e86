"""The words of :mod:`modelhealth.alerts.render` laid out as Slack Block Kit blocks.

A header with the title, one section per result (worst first, at most
:data:`~modelhealth.alerts.render.MAX_LINES`, the rest counted), a context line with
the run and a link to the report, and on a problem or a reminder the buttons people
act with: acknowledge, snooze 1 h, snooze 1 day, open the report. Each action
button's ``value`` is :func:`action_value`: the model and the incidents' keys, which
``POST /api/v1/slack/actions`` reads back with :func:`parse_action_value`. Slack
shows ``text`` in notifications and where blocks cannot be shown, so the plain text
is always sent too.
"""

from __future__ import annotations

import json
from typing import Any

from modelhealth.alerts.base import Alert, result_key
from modelhealth.alerts.render import MAX_LINES, describe, ordered, title

__all__ = ["ACTIONS", "action_value", "blocks", "parse_action_value"]

ACTIONS = {
    "modelhealth_ack": None,
    "modelhealth_snooze_1h": "1h",
    "modelhealth_snooze_1d": "1d",
}
"""The buttons' ``action_id`` and the snooze each means (``None``: until resolved)."""
_VALUE_MAX = 2000  # Slack's limit on a button's value

_EMOJI = {
    "problem": ":rotating_light:",
    "reminder": ":hourglass:",
    "resolved": ":white_check_mark:",
    "stale": ":zzz:",
    "acknowledged": ":eyes:",
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
    if alert.kind in ("problem", "reminder") and alert.results:
        out.append(_buttons(alert))
    return out


def action_value(alert: Alert) -> str:
    """``{"model": ..., "keys": [...]}`` of the alert's incidents, within 2000 chars."""
    keys: list[str] = []
    for r in ordered(alert):
        candidate = [*keys, result_key(r.check_id, r.subject)]
        if len(json.dumps({"model": alert.model, "keys": candidate})) > _VALUE_MAX:
            break
        keys = candidate
    return json.dumps({"model": alert.model, "keys": keys})


def parse_action_value(value: str) -> tuple[str, list[str]]:
    """The model and incident keys of a button's value.

    Raises:
        ValueError: it is not a value :func:`action_value` made.
    """
    try:
        data = json.loads(value)
        model, keys = data["model"], data["keys"]
    except (ValueError, TypeError, KeyError) as exc:
        raise ValueError(f"not a modelhealth button value: {value[:80]!r}") from exc
    if not isinstance(model, str) or not all(isinstance(k, str) for k in keys):
        raise ValueError(f"not a modelhealth button value: {value[:80]!r}")
    return model, list(keys)


def _buttons(alert: Alert) -> dict[str, Any]:
    value = action_value(alert)
    labels = {
        "modelhealth_ack": "Acknowledge",
        "modelhealth_snooze_1h": "Snooze 1 h",
        "modelhealth_snooze_1d": "Snooze 1 day",
    }
    elements: list[dict[str, Any]] = [
        {
            "type": "button",
            "action_id": action,
            "text": {"type": "plain_text", "text": label},
            "value": value,
        }
        for action, label in labels.items()
    ]
    elements[0]["style"] = "primary"
    if alert.report_url:
        elements.append(
            {
                "type": "button",
                "action_id": "modelhealth_report",
                "text": {"type": "plain_text", "text": "Open the report"},
                "url": alert.report_url,
            }
        )
    return {"type": "actions", "block_id": "modelhealth_actions", "elements": elements}
