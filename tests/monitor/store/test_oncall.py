"""Acknowledgements and silences in a real store, SQLite and PostgreSQL (issue 14)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from modelhealth.alerts.incidents import AlertPolicy
from modelhealth.alerts.slack import SlackParams
from modelhealth.checks.base import CheckResult, Status
from modelhealth.errors import NotFound, UsageError
from modelhealth.report import RunReport
from modelhealth.rules.models import Severity
from modelhealth.run.outbox import flush
from tests.alerts.servers import Loopback, SlackServer, running

T0 = datetime(2026, 3, 1, 6, 0, tzinfo=timezone.utc)
H = timedelta(hours=1)


def report(run_id, when, status=Status.FAILED):
    r = CheckResult(
        "feature-drift", "drift", "spend", status, severity=Severity.CRITICAL,
        value=0.31 if status is Status.FAILED else 0.02,
        threshold={"warn": 0.1, "fail": 0.25}, started_at=when, finished_at=when,
    )  # fmt: skip
    return RunReport("churn", run_id, (r,), {}, 10, when, when)


@pytest.fixture
def slack(monkeypatch):
    app = SlackServer()
    with running(Loopback(app.respond)) as server:
        monkeypatch.setenv("SLACK_BOT_TOKEN", app.token)
        route = SlackParams(
            to="#ml-oncall", token_env="SLACK_BOT_TOKEN", api_url=server.url + "/api/",
            renotify_after="1d",
        )  # fmt: skip
        yield app, AlertPolicy((route,))


def test_one_incident_from_opening_to_resolution(store, slack, capsys):
    app, policy = slack

    def step(run_id, when, status=Status.FAILED):
        store.save_run(report(run_id, when, status), alerts=policy)
        flush(store)
        (incident,) = store.incidents("churn")
        sent = [p["text"].splitlines()[0] for p in app.posts]
        print(f"{when:%d %H:%M} {run_id}: {status.value}; sent {len(sent)}")
        return incident, sent

    incident, sent = step("r1", T0)
    assert incident.status == "open"
    assert len(sent) == 1
    acked = store.acknowledge(incident.id, by="ana", until=T0 + 2 * 24 * H, now=T0)
    assert (acked.acked_by, acked.acked_until) == ("ana", T0 + 48 * H)
    print(f"acknowledged #{acked.id} by ana until {acked.acked_until:%d %H:%M}")
    _, sent = step("r2", T0 + 25 * H)
    # the acknowledgement is told in the thread; the reminder that was due is not
    assert sent[1] == "ACKNOWLEDGED churn run r1: by ana, until 2026-03-03 06:00 UTC"
    assert app.posts[1]["thread_ts"] == "1700000001.000100"
    assert len(sent) == 2
    _, sent = step("r3", T0 + 49 * H)
    assert len(sent) == 3  # the acknowledgement ended: reminded, in the thread
    assert app.posts[2]["text"].startswith("STILL FAILING")
    assert app.posts[2]["thread_ts"] == "1700000001.000100"
    quiet = store.add_silence(
        "churn", check_id="feature-*", ends_at=T0 + 200 * H, starts_at=T0 + 50 * H,
        reason="reindexing", by="bo", now=T0 + 50 * H,
    )  # fmt: skip
    print(f"silence #{quiet.id} churn/feature-* until {quiet.ends_at:%d %H:%M}")
    incident, sent = step("r4", T0 + 74 * H)
    assert len(sent) == 3  # a reminder was due, but silenced
    incident, sent = step("r5", T0 + 98 * H, Status.PASSED)
    assert incident.status == "resolved"
    assert len(sent) == 4  # the thread it opened is closed
    assert app.posts[3]["thread_ts"] == "1700000001.000100"
    for line in sent:
        print("  ", line)


def test_unknown_ids_resolved_incidents_and_ended_silences(store):
    with pytest.raises(
        NotFound, match=r"no incident #99; `modelhealth alerts incidents`"
    ):
        store.acknowledge(99, by="ana")
    with pytest.raises(NotFound, match="no incident #99"):
        store.incident(99)
    with pytest.raises(NotFound, match=r"no silence #5"):
        store.end_silence(5)
    store.save_run(report("r1", T0), alerts=AlertPolicy(()))
    (incident,) = store.incidents()
    with pytest.raises(UsageError, match="incident #1 is not acknowledged"):
        store.unacknowledge(incident.id)
    with pytest.raises(UsageError, match="say who acknowledges"):
        store.acknowledge(incident.id, by=" ")
    with pytest.raises(UsageError, match="would end at 2026-03-01 05:00 UTC, which"):
        store.acknowledge(incident.id, by="ana", until=T0 - H, now=T0)
    store.acknowledge(incident.id, by="ana", now=T0)
    assert store.incident(incident.id, now=T0).acknowledged
    assert store.unacknowledge(incident.id).acked_by is None
    store.save_run(report("r2", T0 + H, Status.PASSED), alerts=AlertPolicy(()))
    with pytest.raises(UsageError, match="incident #1 is resolved; nothing to"):
        store.acknowledge(incident.id, by="ana")


def test_silences_refuse_the_past_overlaps_and_malformed_matchers(store):
    now = T0
    kw = {"reason": "deploy", "by": "bo", "now": now}
    with pytest.raises(
        UsageError, match="would end at 2026-03-01 05:00 UTC, which has"
    ):
        store.add_silence("churn", ends_at=now - H, **kw)
    with pytest.raises(UsageError, match="unknown severity 'fatal'; known: info"):
        store.add_silence("churn", severities=["fatal"], ends_at=now + H, **kw)
    with pytest.raises(UsageError, match="say why"):
        store.add_silence("churn", ends_at=now + H, **{**kw, "reason": ""})
    with pytest.raises(UsageError, match="must end after it starts"):
        store.add_silence("churn", ends_at=now + H, starts_at=now + 2 * H, **kw)
    first = store.add_silence("churn", check_id="drift", ends_at=now + 2 * H, **kw)
    with pytest.raises(
        UsageError,
        match=r"silence #1 already covers churn/drift until 2026-03-01 08:00 UTC; "
        r"end it with `modelhealth alerts unsilence 1` first",
    ):
        store.add_silence("churn", check_id="drift", ends_at=now + 3 * H, **kw)
    other = store.add_silence("churn", check_id="volume", ends_at=now + 3 * H, **kw)
    assert [s.id for s in store.silences(now=now)] == [first.id, other.id]
    ended = store.end_silence(first.id, now=now + H)
    assert ended.ends_at == now + H
    with pytest.raises(
        UsageError, match="silence #1 already ended at 2026-03-01 07:00"
    ):
        store.end_silence(first.id, now=now + 2 * H)
    assert [s.id for s in store.silences(now=now + H)] == [other.id]
    assert len(store.silences(include_ended=True, now=now + H)) == 2


def test_a_silence_made_after_the_run_shows_on_the_open_incident(store):
    store.save_run(report("r1", T0), alerts=AlertPolicy(()))
    made = store.add_silence("churn", ends_at=T0 + 100_000 * H, reason="x", by="bo")
    (incident,) = store.incidents()
    assert incident.silenced_by == made.id
    store.end_silence(made.id)
    (incident,) = store.incidents()
    assert incident.silenced_by is None


def test_a_maintenance_window_from_the_rules_holds_the_run_s_messages(store):
    from modelhealth.alerts.console import ConsoleParams
    from modelhealth.cli.oncall import incident_line
    from modelhealth.rules.models import MaintenanceWindow, RuleSet
    from modelhealth.run.policy import alert_policy

    window = MaintenanceWindow(name="reindex", cron="0 5 * * *", duration="2h")
    rules = RuleSet(version=1, model="churn", maintenance=[window])
    policy = alert_policy(rules, None)
    assert policy.maintenance == (window,)
    route = AlertPolicy((ConsoleParams(),), maintenance=policy.maintenance)
    store.save_run(report("r1", T0), alerts=route)  # 06:00, inside 05:00-07:00
    assert store.outbox_pending() == []
    (incident,) = store.incidents()
    assert incident.maintenance == "reindex"
    assert incident_line(incident).endswith(", in maintenance window 'reindex'")
    store.save_run(report("r2", T0 + 2 * H), alerts=route)  # 08:00: closed
    assert [m.kind for m in store.outbox_pending()] == ["problem"]
    assert store.incidents()[0].maintenance is None
