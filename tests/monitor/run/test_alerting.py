"""Incidents and the outbox against a real store and real loopback servers."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from modelhealth.alerts.incidents import AlertPolicy
from modelhealth.alerts.slack import SlackParams
from modelhealth.alerts.webhook import WebhookParams
from modelhealth.checks.base import CheckResult, Status
from modelhealth.errors import StorageError
from modelhealth.report import RunReport
from modelhealth.rules.models import RuleSet, Severity
from modelhealth.run import runner
from modelhealth.run.outbox import Backoff, flush
from modelhealth.store import Store
from tests.alerts.servers import Loopback, Receiver, SlackServer, running

T0 = datetime(2026, 3, 1, 6, 0, tzinfo=timezone.utc)
FAST = Backoff(base=0.01, cap=0.05)


def result(status=Status.FAILED, subject="spend", value=0.31):
    return CheckResult(
        "feature-drift", "drift", subject, status, severity=Severity.CRITICAL,
        value=value, threshold={"warn": 0.1, "fail": 0.25},
        started_at=T0, finished_at=T0,
    )  # fmt: skip


def report(run_id, when, *results):
    return RunReport(
        model="churn", run_id=run_id, results=results, profile={}, row_count=10,
        started_at=when, finished_at=when, model_version="v2",
    )  # fmt: skip


@pytest.fixture
def slack_route(monkeypatch):
    app = SlackServer()
    with running(Loopback(app.respond)) as server:
        monkeypatch.setenv("SLACK_BOT_TOKEN", app.token)
        route = SlackParams(
            to="#ml-oncall", token_env="SLACK_BOT_TOKEN", api_url=server.url + "/api/"
        )
        yield app, route


def test_incident_opens_once_reminds_and_resolves_in_the_thread(store, slack_route):
    app, route = slack_route
    policy = AlertPolicy((route,), report_url="http://report.test/run")
    store.save_run(report("r1", T0, result()), alerts=policy)
    assert [m.kind for m in store.outbox_pending()] == ["problem"]
    assert flush(store).delivered == 1
    store.save_run(report("r2", T0 + timedelta(hours=6), result()), alerts=policy)
    assert store.outbox_pending() == []  # still failing: nothing more yet
    store.save_run(report("r3", T0 + timedelta(days=1), result()), alerts=policy)
    passed = result(Status.PASSED, value=0.02)
    store.save_run(report("r4", T0 + timedelta(days=2), passed), alerts=policy)
    assert [m.kind for m in store.outbox_pending()] == ["reminder", "resolved"]
    assert flush(store).delivered == 2
    opening, reminder, resolution = app.posts
    assert "thread_ts" not in opening
    assert reminder["thread_ts"] == "1700000001.000100"  # issue 14: in the thread
    assert resolution["thread_ts"] == "1700000001.000100"
    assert resolution["channel"] == "C0ONCALL"
    assert reminder["blocks"][0]["text"]["text"].startswith(":hourglass: STILL FAILING")
    assert "3 runs in a row" in reminder["text"]
    (incident,) = store.incidents("churn")
    assert incident.status == "resolved"
    assert (incident.opened_at, incident.resolved_at) == (T0, T0 + timedelta(days=2))
    assert (incident.first_run_id, incident.last_run_id) == ("r1", "r3")
    assert (incident.runs_count, incident.notifications) == (3, 2)
    assert store.incidents(status="open") == []
    assert store.incidents("other") == []
    with pytest.raises(ValueError, match="unknown incident status 'closed'"):
        store.incidents(status="closed")


def test_a_reply_waits_for_the_message_it_replies_to(store, slack_route):
    app, route = slack_route
    policy = AlertPolicy((route,))
    store.save_run(report("r1", T0, result()), alerts=policy)
    store.save_run(report("r2", T0, result(Status.PASSED)), alerts=policy)
    first, second = store.outbox_pending()
    assert second.parent_id == first.id
    assert store.claim_outbox(exclude=[first.id]) == []  # the reply waits
    flush(store)
    assert (
        app.posts[1]["thread_ts"] == app.posts[0]["ts"]
        if "ts" in app.posts[0]
        else True
    )
    assert app.posts[1]["thread_ts"] == "1700000001.000100"


def test_results_and_alerts_are_saved_together_or_not_at_all(
    store, engine, monkeypatch
):
    def broken(*args, **kwargs):
        raise sa.exc.OperationalError("INSERT", {}, Exception("disk full"))

    monkeypatch.setattr("modelhealth.store.alerting.decide", broken)
    policy = AlertPolicy((WebhookParams(url="http://127.0.0.1:9/"),))
    with pytest.raises(StorageError, match="disk full"):
        store.save_run(report("r1", T0, result()), alerts=policy)
    with engine.connect() as conn:
        for table in ("runs", "check_results", "incidents", "alert_outbox"):
            count = conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
            assert count == 0, table


def test_undelivered_messages_survive_a_restart(store_url):
    app = Receiver(secret=None)
    server = Loopback(app.respond).start()
    url = server.url
    server.stop()  # chat is down
    route = WebhookParams(url=url)
    with Store(store_url) as store:
        store.save_run(report("r1", T0, result()), alerts=AlertPolicy((route,)))
        stats = flush(store, backoff=FAST)
        assert (stats.delivered, stats.failed_attempts, stats.pending) == (0, 1, 1)
        (waiting,) = store.outbox_pending()
        assert waiting.attempts == 1
        assert "ConnectError" in (waiting.last_error or "")
    server.port = int(url.rsplit(":", 1)[1])
    with running(server), Store(store_url) as store:  # a new process, chat is back
        assert flush(store, budget=5, backoff=FAST).delivered == 1
        assert store.outbox_pending() == []
    assert len(app.delivered) == 1


def test_publish_never_fails_or_blocks_the_run_when_chat_is_down(store, monkeypatch):
    monkeypatch.setenv("MODELHEALTH_ALERT_BUDGET", "0.5")
    rule_set = RuleSet(
        version=1, model="churn", alerts=[WebhookParams(url="http://127.0.0.1:9/")]
    )
    started = datetime.now(timezone.utc)
    done = runner.publish(report("r1", T0, result()), rule_set, store=store)
    assert done.run_pk is not None
    assert (datetime.now(timezone.utc) - started).total_seconds() < 5
    assert len(store.outbox_pending()) == 1


def test_service_routes_and_report_link_apply_to_every_model(
    store, tmp_path, monkeypatch
):
    app = Receiver(secret=None)
    with running(Loopback(app.respond)) as server:
        config = tmp_path / "modelhealth.yaml"
        config.write_text(
            "version: 1\nreport_url: http://report.test/\n"
            f"alerts:\n  - {{channel: webhook, url: '{server.url}/hook', "
            "min_severity: critical}\n"
        )
        monkeypatch.setenv("MODELHEALTH_CONFIG", str(config))
        from modelhealth.config import report_link

        rule_set = RuleSet(version=1, model="churn")
        link = report_link("churn", "r1")
        runner.publish(
            report("r1", T0, result()), rule_set, store=store, report_url=link
        )
    (body,) = app.delivered.values()
    assert body["report_url"] == "http://report.test/models/churn/runs/r1"
    assert body["results"][0]["subject"] == "spend"


def test_an_older_run_checked_again_does_not_resolve_todays_incident(
    store, slack_route
):
    """A backfill that passes must not tell on-call the model recovered."""
    _, route = slack_route
    policy = AlertPolicy((route,))
    store.save_run(report("day1", T0, result()), alerts=policy)
    store.save_run(report("day2", T0 + timedelta(hours=6), result()), alerts=policy)
    passed = result(Status.PASSED, value=0.02)
    store.save_run(report("day1", T0, passed), alerts=policy)  # re-checked later
    assert [m.kind for m in store.outbox_pending()] == ["problem"]
    (incident,) = store.incidents("churn")
    assert incident.status == "open"
    assert incident.runs_count == 2


def test_a_route_in_rules_and_service_file_is_used_once(tmp_path, monkeypatch):
    from modelhealth.rules.service import ServiceConfig
    from modelhealth.run.policy import routes_for

    monkeypatch.setenv("HOOK_URL", "http://127.0.0.1:9/hook")
    hook = WebhookParams(url_env="HOOK_URL")
    slower = WebhookParams(url_env="HOOK_URL", timeout=30)
    rules = RuleSet(version=1, model="churn", alerts=[hook])
    assert routes_for(rules, ServiceConfig(alerts=[slower])) == (hook,)


def test_tuning_a_route_keeps_its_identity(monkeypatch):
    from modelhealth.alerts.routing import route_key

    monkeypatch.setenv("HOOK_URL", "http://127.0.0.1:9/hook")
    hook = WebhookParams(url_env="HOOK_URL")
    assert route_key(hook) == route_key(
        WebhookParams(url_env="HOOK_URL", timeout=30, renotify_after="6h")
    )
    assert route_key(hook) != route_key(WebhookParams(url_env="HOOK_URL", checks=["x"]))


def test_backoff_after_very_many_attempts_stays_at_the_cap():
    assert Backoff(jitter=0).delay(5000) == Backoff().cap
