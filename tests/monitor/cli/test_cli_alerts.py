"""``modelhealth alerts test|flush|pending|incidents`` end to end."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from modelhealth.alerts.incidents import AlertPolicy
from modelhealth.alerts.webhook import WebhookParams
from modelhealth.checks.base import CheckResult, Status
from modelhealth.cli.app import main
from modelhealth.report import RunReport
from modelhealth.store import Store
from tests.alerts.servers import Loopback, Receiver, running

T0 = datetime(2026, 3, 1, 6, 0, tzinfo=timezone.utc)


@pytest.fixture
def hook():
    app = Receiver(secret=None)
    with running(Loopback(app.respond)) as server:
        yield app, server


def test_alerts_test_sends_through_the_service_routes(hook, tmp_path, capsys):
    app, server = hook
    config = tmp_path / "modelhealth.yaml"
    config.write_text(f"alerts:\n  - {{channel: webhook, url: '{server.url}/x'}}\n")
    code = main(["alerts", "test", "--channel", "webhook", "--config", str(config)])
    assert code == 0
    assert capsys.readouterr().out == "webhook: ok\n"
    (body,) = app.delivered.values()
    assert body["kind"] == "test"
    assert body["title"] == "modelhealth test alert for modelhealth"


def test_alerts_test_reports_a_failure_and_a_missing_route(tmp_path, capsys):
    rules = tmp_path / "churn.yaml"
    rules.write_text(
        "version: 1\nmodel: churn\nalerts:\n"
        "  - {channel: webhook, url: 'http://127.0.0.1:9/'}\n"
    )
    assert main(["alerts", "test", "-c", "webhook", "--rules", str(rules)]) == 1
    assert capsys.readouterr().out.startswith("webhook: FAILED: ConnectError")
    assert main(["alerts", "test", "-c", "slack", "--rules", str(rules)]) == 2
    assert "no 'slack' route in" in capsys.readouterr().err
    assert main(["alerts", "test", "-c", "sms"]) == 2
    assert (
        "unknown channel 'sms'; known: console, email, pagerduty, slack, teams, webhook"
        in (capsys.readouterr().err)
    )


def test_pending_flush_and_incidents(hook, tmp_path, capsys):
    app, server = hook
    db = f"sqlite:///{tmp_path / 'mh.db'}"
    failed = CheckResult("row-count", "volume", None, Status.FAILED, value=3)
    report = RunReport("churn", "r1", (failed,), {}, 3, T0, T0)
    with Store(db) as store:
        store.save_run(report, alerts=AlertPolicy((WebhookParams(url=server.url),)))
    assert main(["alerts", "pending", "--db", db]) == 0
    out = capsys.readouterr().out
    assert out.startswith("#1 problem churn run r1 via webhook: 0 attempt(s), next ")
    assert main(["alerts", "flush", "--db", db]) == 0
    assert capsys.readouterr().out.startswith(
        "1 delivered, 0 failed attempt(s), 0 pending"
    )
    assert len(app.delivered) == 1
    assert main(["alerts", "pending", "--db", db]) == 0
    assert capsys.readouterr().out == "nothing waits in the outbox\n"
    assert main(["alerts", "incidents", "--db", db, "--status", "open"]) == 0
    assert capsys.readouterr().out == (
        "#1 open warning churn row-count: since 2026-03-01 06:00 UTC, 1 run(s)\n"
    )
