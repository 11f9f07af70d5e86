"""The pagerduty and teams channels against servers on 127.0.0.1 (issue 14)."""

from __future__ import annotations

import pytest

from modelhealth.alerts import registry
from modelhealth.alerts.base import Alert
from modelhealth.alerts.pagerduty import PagerDutyParams
from modelhealth.alerts.teams import TeamsParams
from modelhealth.checks.base import Status
from modelhealth.rules.models import Severity
from tests.alerts.conftest import problem_alert, result
from tests.alerts.pagers import ROUTING_KEY, PagerDutyServer, TeamsServer
from tests.alerts.servers import Loopback, running

KEY = "modelhealth/churn/feature-drift[spend]"


@pytest.fixture
def pagerduty(monkeypatch):
    app = PagerDutyServer()
    with running(Loopback(app.respond)) as server:
        monkeypatch.setenv("PD_ROUTING_KEY", ROUTING_KEY)
        params = PagerDutyParams(
            routing_key_env="PD_ROUTING_KEY", api_url=server.url + "/v2/enqueue"
        )
        yield app, server, params


@pytest.fixture
def teams(monkeypatch):
    app = TeamsServer()
    with running(Loopback(app.respond)) as server:
        monkeypatch.setenv("TEAMS_HOOK", server.url + "/webhookb2/s3cretpath0123")
        yield app, server, TeamsParams(url_env="TEAMS_HOOK")


def test_pagerduty_triggers_then_resolves_the_same_key(pagerduty):
    app, _, params = pagerduty
    with registry.build(params) as channel:
        delivery = channel.send(problem_alert())
        assert delivery.ok, delivery.detail
        assert delivery.ref == {"dedup_key": KEY}
        passed = result(status=Status.PASSED, value=0.02)
        resolved = Alert("churn", "r2", (passed,), kind="resolved", key="k2")
        assert channel.send(resolved).ok
    trigger, resolve = app.events
    assert trigger["event_action"] == "trigger"
    assert trigger["payload"]["severity"] == "critical"
    assert trigger["payload"]["summary"].startswith(
        "churn: [x] feature-drift[spend] failed: 0.31"
    )
    assert trigger["payload"]["custom_details"]["run_id"] == "2026-03-01"
    assert trigger["links"][0]["href"].endswith("/runs/2026-03-01")
    assert resolve == {
        "routing_key": ROUTING_KEY, "event_action": "resolve", "dedup_key": KEY,
        "client": "modelhealth",
    }  # fmt: skip
    assert app.alerts[KEY]["state"] == "resolved"


def test_pagerduty_maps_severities_and_groups_are_one_event_each(pagerduty):
    app, _, params = pagerduty
    params = params.model_copy(update={"severities": {"warning": "error"}})
    results = (result(subject="a", severity=Severity.WARNING), result(subject="b"))
    alert = Alert("churn", "r1", results, key="k1")
    with registry.build(params) as channel:
        assert channel.send(alert).ok
        assert channel.send(Alert("churn", "test", (), kind="test", key="t")).ok
    assert [e["payload"]["severity"] for e in app.events] == [
        "error", "critical", "info",
    ]  # fmt: skip
    assert app.events[2]["dedup_key"] == "modelhealth/test/t"


def test_pagerduty_refusals_and_rate_limits_are_failed_deliveries(
    pagerduty, monkeypatch
):
    _, server, params = pagerduty
    server.script = lambda n: "429"
    server.retry_after = "12"
    with registry.build(params) as channel:
        delivery = channel.send(problem_alert())
    assert (delivery.ok, delivery.retry_after) == (False, 12.0)
    server.script = lambda n: "500"
    with registry.build(params) as channel:
        assert channel.send(problem_alert()).detail == "HTTP 500: internal error"
    server.script = lambda n: "ok"
    monkeypatch.setenv("PD_ROUTING_KEY", "wrong-key-000000")
    with registry.build(params) as channel:
        delivery = channel.send(problem_alert())
    assert delivery.detail.startswith("HTTP 400: ")
    assert "Invalid routing key" in delivery.detail
    assert "wrong-key-000000" not in delivery.detail


def test_pagerduty_needs_its_routing_key(monkeypatch):
    monkeypatch.delenv("PD_ROUTING_KEY", raising=False)
    with pytest.raises(
        ValueError, match="'PD_ROUTING_KEY' \\(routing_key_env\\) is not set"
    ):
        PagerDutyParams(routing_key_env="PD_ROUTING_KEY")


def test_teams_posts_an_adaptive_card(teams):
    app, _, params = teams
    with registry.build(params) as channel:
        assert channel.send(problem_alert()).ok
    (message,) = app.cards
    (attachment,) = message["attachments"]
    card = attachment["content"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["body"][0]["text"] == "CRITICAL churn v2 run 2026-03-01: 1 failed"
    assert card["body"][1]["text"].startswith("[x] feature-drift[spend] failed")
    assert card["actions"][0]["url"].endswith("/models/churn/runs/2026-03-01")


def test_teams_throttling_and_errors_fail_without_the_url(teams):
    app, server, params = teams
    app.throttle = True
    with registry.build(params) as channel:
        delivery = channel.send(problem_alert())
    assert not delivery.ok
    assert "429" in delivery.detail
    app.throttle = False
    server.script = lambda n: "500"
    with registry.build(params) as channel:
        delivery = channel.send(problem_alert())
    assert delivery.detail == "HTTP 500: internal error"
    server.stop()
    with registry.build(params) as channel:
        delivery = channel.send(problem_alert())
    assert "s3cretpath0123" not in delivery.detail
    assert not delivery.ok


def test_pagerduty_hears_an_acknowledgement_on_the_same_key(pagerduty):
    app, _, params = pagerduty
    note = Alert(
        "churn", "r1", (result(),), kind="acknowledged", note="by ana", key="k"
    )
    with registry.build(params) as channel:
        assert channel.send(note).ok
    assert app.events[0]["event_action"] == "acknowledge"
    assert app.events[0]["dedup_key"] == KEY
    assert "payload" not in app.events[0]
    assert Alert.from_dict(note.to_dict()).note == "by ana"


def test_a_stale_incident_resolves_its_pagerduty_alert_and_says_why_on_teams(
    pagerduty, teams
):
    pd_app, _, pd_params = pagerduty
    teams_app, _, teams_params = teams
    stale = Alert(
        "churn", "r1", (result(),), kind="stale", key="k3",
        note="closed, its check 'feature-drift' is no longer in the rules",
    )  # fmt: skip
    with registry.build(pd_params) as channel:
        assert channel.send(problem_alert()).ok
        assert channel.send(stale).ok
    assert [e["event_action"] for e in pd_app.events] == ["trigger", "resolve"]
    assert pd_app.alerts[KEY]["state"] == "resolved"
    with registry.build(teams_params) as channel:
        assert channel.send(stale).ok
    (posted,) = teams_app.cards
    head = posted["attachments"][0]["content"]["body"][0]["text"]
    assert head == (
        "CLOSED AS STALE churn run r1: closed, its check 'feature-drift' is no "
        "longer in the rules"
    )
