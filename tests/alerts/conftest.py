"""Alert fixtures: results, alerts, loopback servers and an SMTP server."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import pytest

from modelhealth.alerts.base import Alert, Streak
from modelhealth.checks.base import CheckResult, Status
from modelhealth.rules.models import Severity
from tests.alerts.servers import Loopback, Receiver, SlackServer, running

T0 = datetime(2026, 3, 1, 6, 0, tzinfo=timezone.utc)


def result(
    check_id: str = "feature-drift",
    subject: str | None = "spend",
    status: Status = Status.FAILED,
    severity: Severity = Severity.CRITICAL,
    **kw: Any,
) -> CheckResult:
    kw.setdefault("kind", "drift")
    kw.setdefault("started_at", T0)
    kw.setdefault("finished_at", T0)
    return CheckResult(
        check_id, subject=subject, status=status, severity=severity, **kw
    )


def problem_alert(**kw: Any) -> Alert:
    r = result(value=0.31, threshold={"warn": 0.1, "fail": 0.25})
    kw.setdefault("streaks", {"feature-drift[spend]": Streak(T0, 3, "2026-02-27")})
    return Alert(
        model="churn",
        run_id="2026-03-01",
        results=(r,),
        model_version="v2",
        report_url="http://report.test/models/churn/runs/2026-03-01",
        key="key-1",
        **kw,
    )


@pytest.fixture
def slack() -> Iterator[tuple[SlackServer, Loopback]]:
    app = SlackServer()
    with running(Loopback(app.respond)) as server:
        yield app, server


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, Loopback]]:
    app = Receiver()
    with running(Loopback(app.respond)) as server:
        yield app, server


@dataclass
class _Mailbox:
    messages: list[Any] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        from email import message_from_bytes
        from email.policy import default

        self.messages.append(message_from_bytes(envelope.content, policy=default))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[_Mailbox, int]]:
    from aiosmtpd.controller import Controller

    box = _Mailbox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()
