"""``console``: alerts printed to the terminal, the embedded default.

Writes to stderr by default so that ``modelhealth check --json`` keeps stdout
machine-readable. ``format: json`` prints one JSON object per alert, for log shippers.
"""

from __future__ import annotations

import json
import sys
from typing import Literal, TextIO

from modelhealth.alerts.base import Alert, Channel, Delivery
from modelhealth.alerts.render import render_json, render_text
from modelhealth.rules.models import ChannelParams

__all__ = ["ConsoleChannel", "ConsoleParams"]


class ConsoleParams(ChannelParams):
    """Print alerts on the terminal of the process that runs the checks."""

    channel: Literal["console"] = "console"
    stream: Literal["stdout", "stderr"] = "stderr"
    format: Literal["text", "json"] = "text"


class ConsoleChannel(Channel):
    params_type = ConsoleParams

    def __init__(self, params: ChannelParams, out: TextIO | None = None) -> None:
        super().__init__(params)
        self._out = out

    def _stream(self) -> TextIO:
        if self._out is not None:
            return self._out
        stream = getattr(self.params, "stream", "stderr")
        return sys.stdout if stream == "stdout" else sys.stderr

    def send(self, alert: Alert) -> Delivery:
        fmt = getattr(self.params, "format", "text")
        text = json.dumps(render_json(alert)) if fmt == "json" else render_text(alert)
        out = self._stream()
        out.write(text + "\n")
        out.flush()
        return Delivery(channel=self.name, ok=True)
