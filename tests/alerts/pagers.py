"""Loopback servers that answer like PagerDuty's Events API v2 and a Teams webhook."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tests.alerts.servers import Request

ROUTING_KEY = "R0UTINGKEY0123456789abcdefabcdef"


@dataclass
class PagerDutyServer:
    """``POST /v2/enqueue``: 202 for a good event, 400 for a wrong routing key.

    ``alerts`` keeps PagerDuty's side: per dedup key, ``triggered`` or ``resolved``
    and how many events it got (a retry of the same key is one alert).
    """

    events: list[dict[str, Any]] = field(default_factory=list)
    alerts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def respond(self, req: Request) -> tuple[int, dict[str, str], bytes]:
        event = req.json()
        if event.get("routing_key") != ROUTING_KEY:
            body = {"status": "invalid event", "errors": ["Invalid routing key"]}
            return 400, {}, json.dumps(body).encode()
        self.events.append(event)
        key = event["dedup_key"]
        state = self.alerts.setdefault(key, {"events": 0})
        state["events"] += 1
        state["state"] = (
            "resolved" if event["event_action"] == "resolve" else "triggered"
        )
        if "payload" in event:
            state["severity"] = event["payload"]["severity"]
        answer = {"status": "success", "message": "Event processed", "dedup_key": key}
        return 202, {"Content-Type": "application/json"}, json.dumps(answer).encode()


@dataclass
class TeamsServer:
    """A Teams incoming webhook: ``1`` for a card; ``throttle`` answers like the old
    connectors do when they throttle (HTTP 200 with an error text)."""

    cards: list[dict[str, Any]] = field(default_factory=list)
    throttle: bool = False

    def respond(self, req: Request) -> tuple[int, dict[str, str], bytes]:
        if self.throttle:
            return 200, {}, b"Microsoft Teams endpoint returned HTTP error 429"
        self.cards.append(req.json())
        return 200, {"Content-Type": "text/plain"}, b"1"
