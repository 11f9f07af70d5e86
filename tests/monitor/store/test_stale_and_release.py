"""Stale incidents, and what an ended silence held back, on SQLite and PostgreSQL
(issue 14: items 2 and 7)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from modelhealth.alerts.incidents import AlertPolicy
from modelhealth.alerts.slack import SlackParams
from modelhealth.checks.base import CheckResult, Status
from modelhealth.cli.oncall import incident_line
from modelhealth.report import RunReport
from modelhealth.rules.models import MaintenanceWindow, Severity
from modelhealth.run.outbox import flush
from tests.alerts.servers import Loopback, SlackServer, running

T0 = datetime(2026, 3, 1, 6, 0, tzinfo=timezone.utc)
H = timedelta(hours=1)
THREAD = "1700000001.000100"


def result(check_id, when, status=Status.FAILED, subject="spend"):
    return CheckResult(
        check_id, "drift", subject, status, severity=Severity.CRITICAL,
        value=0.31 if status is Status.FAILED else 0.02,
        threshold={"warn": 0.1, "fail": 0.25}, message="psi 0.31 above 0.25",
        started_at=when, finished_at=when,
    )  # fmt: skip


def report(run_id, when, *results):
    return RunReport("churn", run_id, tuple(results), {}, 10, when, when)


@pytest.fixture
def slack(monkeypatch):
    app = SlackServer()
    with running(Loopback(app.respond)) as server:
        monkeypatch.setenv("SLACK_BOT_TOKEN", app.token)
        route = SlackParams(
            to="#ml-oncall", token_env="SLACK_BOT_TOKEN", api_url=server.url + "/api/",
            renotify_after=None,
        )  # fmt: skip
        yield app, route


def heads(app):
    return [p["text"].splitlines()[0] for p in app.posts]


def test_an_incident_whose_check_left_the_rules_closes_at_the_next_run(store, slack):
    app, route = slack
    both = AlertPolicy((route,), checks=frozenset({"feature-drift", "volume"}))
    first = (
        result("feature-drift", T0),
        result("volume", T0, subject=None),
        result("freshness", T0, subject=None),
    )
    store.save_run(report("r1", T0, *first), alerts=both)
    flush(store)
    assert len(app.posts) == 1
    # feature-drift is removed from the rules; the service's freshness verdict is
    # never in the rules and stays open
    fewer = AlertPolicy((route,), checks=frozenset({"volume"}))
    later = T0 + 24 * H
    store.save_run(
        report("r2", later, result("volume", later, subject=None)), alerts=fewer
    )
    flush(store)
    assert heads(app)[1] == (
        "CLOSED AS STALE churn run r1: closed, its check 'feature-drift' is no "
        "longer in the rules"
    )
    assert app.posts[1]["thread_ts"] == THREAD
    (stale,) = store.incidents(status="stale")
    assert (stale.check_id, stale.resolved_at) == ("feature-drift", later)
    assert stale.closed_because == "its check 'feature-drift' is no longer in the rules"
    assert incident_line(stale).endswith(
        "closed 2026-03-02 06:00 UTC: its check 'feature-drift' is no longer in the "
        "rules"
    )
    assert sorted(i.check_id for i in store.incidents(status="open")) == [
        "freshness", "volume",
    ]  # fmt: skip
    # sent once: the next run says nothing more about it
    store.save_run(
        report("r3", later + H, result("volume", later + H, subject=None)),
        alerts=fewer,
    )
    flush(store)
    assert len(app.posts) == 2
    with pytest.raises(ValueError, match="known: open, resolved, stale"):
        store.incidents(status="closed")


def test_an_incident_no_run_found_for_stale_after_is_closed_once(store, slack):
    app, route = slack
    quiet = route.model_copy(update={"send_resolved": False, "to": "#quiet"})
    policy = AlertPolicy((route, quiet), checks=frozenset({"feature-drift"}))
    store.save_run(report("r1", T0, result("feature-drift", T0)), alerts=policy)
    flush(store)
    assert len(app.posts) == 2
    assert store.close_stale("7d", now=T0 + 7 * 24 * H - H) == []
    (closed,) = store.close_stale("7d", now=T0 + 7 * 24 * H)
    assert closed.status == "stale"
    assert closed.closed_because == (
        "no run has evaluated it since 2026-03-01 06:00 UTC "
        "(incidents.stale_after is 7d)"
    )
    assert store.close_stale("7d", now=T0 + 8 * 24 * H) == []
    flush(store)
    # one message, to the route that wants resolutions, in its thread
    assert len(app.posts) == 3
    told = {p["channel"]: p.get("ts") for p in app.posts[:2]}
    assert app.posts[2]["thread_ts"] == THREAD  # the first route's message
    assert app.posts[0]["channel"] == "#ml-oncall", told
    assert heads(app)[2].startswith("CLOSED AS STALE churn run r1: closed, no run")
    # the check fails again later: a new incident opens, and is told anew
    again = T0 + 9 * 24 * H
    store.save_run(report("r2", again, result("feature-drift", again)), alerts=policy)
    flush(store)
    assert [i.status for i in store.incidents()] == ["open", "stale"]
    assert len(app.posts) == 5
    with pytest.raises(ValueError, match="invalid duration 'soon'"):
        store.close_stale("soon")


def test_a_silence_s_end_is_told_by_the_sweep_once(store, slack):
    app, route = slack
    policy = AlertPolicy((route,))
    store.add_silence(
        "churn", ends_at=T0 + 2 * H, starts_at=T0 - H, reason="deploy", by="bo",
        now=T0 - H,
    )  # fmt: skip
    store.save_run(report("r1", T0, result("feature-drift", T0)), alerts=policy)
    flush(store)
    assert app.posts == []

    def policy_for(model, run_id):
        assert (model, run_id) == ("churn", "r1")
        return AlertPolicy((route,), report_url=f"https://mh.example/{run_id}")

    assert store.release_held(policy_for, now=T0 + H) == []  # still silenced
    assert len(store.release_held(policy_for, now=T0 + 2 * H)) == 1
    assert store.release_held(policy_for, now=T0 + 3 * H) == []
    flush(store)
    assert heads(app) == ["CRITICAL churn run r1: 1 failed"]
    assert "https://mh.example/r1" in app.posts[0]["text"]
    (incident,) = store.incidents()
    assert (incident.silenced_by, incident.notifications) == (None, 1)
    # the model's next run knows the route was told: no second problem message
    store.save_run(
        report("r2", T0 + 4 * H, result("feature-drift", T0 + 4 * H)), alerts=policy
    )
    flush(store)
    assert len(app.posts) == 1


def test_an_ended_silence_and_a_closed_window_release_their_incidents(store, slack):
    app, route = slack
    window = MaintenanceWindow(name="reindex", cron="0 5 * * *", duration="2h")
    policy = AlertPolicy((route,), maintenance=(window,))
    store.save_run(report("r1", T0, result("feature-drift", T0)), alerts=policy)
    assert store.incidents()[0].maintenance == "reindex"
    assert store.release_held(lambda m, r: policy, now=T0 + H / 2) == []
    assert len(store.release_held(lambda m, r: policy, now=T0 + H)) == 1  # 07:00
    assert store.incidents()[0].maintenance is None
    # ended by hand before its time: the next sweep tells it
    made = store.add_silence(
        "churn", check_id="volume", ends_at=T0 + 9 * H, reason="x", by="bo",
        now=T0 + H,
    )  # fmt: skip
    later = T0 + 2 * H
    store.save_run(
        report("r2", later, result("feature-drift", later),
               result("volume", later, subject=None)),
        alerts=policy,
    )  # fmt: skip
    assert store.release_held(lambda m, r: policy, now=later + H) == []
    store.end_silence(made.id, now=later + H)
    assert len(store.release_held(lambda m, r: policy, now=later + H)) == 1
    assert store.release_held(lambda m, r: policy, now=later + 2 * H) == []
    flush(store)
    assert heads(app) == [
        "CRITICAL churn run r1: 1 failed",
        "CRITICAL churn run r2: 1 failed",
    ]
    # no rules in force for the model: the sweep leaves it to the next run
    store.add_silence("churn", ends_at=T0 + 20 * H, reason="y", by="bo", now=later)
    store.save_run(
        report("r3", T0 + 10 * H, result("other", T0 + 10 * H)), alerts=policy
    )
    assert store.release_held(lambda m, r: None, now=T0 + 21 * H) == []
