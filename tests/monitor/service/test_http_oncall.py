"""Acknowledge, silence and Slack buttons over HTTP, on uvicorn (issue 14)."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import httpx
import pytest
from slack_sdk.signature import SignatureVerifier

from modelhealth.alerts.incidents import AlertPolicy
from modelhealth.alerts.slack import SlackParams
from modelhealth.checks.base import CheckResult, Status
from modelhealth.report import RunReport
from modelhealth.rules.models import Severity
from modelhealth.run.outbox import flush
from modelhealth.store import Store
from tests.alerts.servers import Loopback, Request, SlackServer, running
from tests.monitor.service.conftest import WRITE

AUTH = {"Authorization": f"Bearer {WRITE}"}
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def report(run_id, when, status=Status.FAILED):
    r = CheckResult(
        "feature-drift", "drift", "spend", status, severity=Severity.CRITICAL,
        value=0.31 if status is Status.FAILED else 0.02,
        threshold={"warn": 0.1, "fail": 0.25}, started_at=when, finished_at=when,
    )  # fmt: skip
    return RunReport("churn", run_id, (r,), {}, 10, when, when)


def signed(payload, *, secret=SECRET, age=0.0):
    body = urlencode({"payload": json.dumps(payload)})
    stamp = str(int(time.time() - age))
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature,
    }
    return body, headers


def click(button, user="ana", response_url=None):
    payload = {
        "type": "block_actions",
        "user": {"id": "U1", "username": user},
        "actions": [{"action_id": button["action_id"], "value": button["value"]}],
    }
    if response_url:
        payload["response_url"] = response_url
    return payload


@pytest.fixture
def http(serve, settings, store_url):
    served = serve(settings, db_url=store_url, slack_signing_secret=SECRET)
    with httpx.Client(base_url=served.url, timeout=10) as client:
        yield client


@pytest.fixture
def slack(monkeypatch):
    app = SlackServer()
    with running(Loopback(app.respond)) as server:
        monkeypatch.setenv("SLACK_BOT_TOKEN", app.token)
        route = SlackParams(
            to="#ml-oncall", token_env="SLACK_BOT_TOKEN", api_url=server.url + "/api/",
            renotify_after="1d",
        )  # fmt: skip
        yield app, AlertPolicy((route,), report_url="http://report.test/run")


@pytest.fixture
def notes():
    seen = []

    def respond(req: Request):
        seen.append(req.json())
        return 200, {}, b"ok"

    with running(Loopback(respond)) as server:
        yield seen, server.url + "/actions/T1/B1"


def test_one_incident_from_opening_to_resolution_through_slack(
    http, slack, notes, store_url
):
    app, policy = slack
    seen, response_url = notes
    now = datetime.now(timezone.utc).replace(microsecond=0)
    log = []

    def step(run_id, when, status=Status.FAILED):
        with Store(store_url) as store:
            store.save_run(report(run_id, when, status), alerts=policy)
            flush(store)
        (incident,) = http.get("/api/v1/incidents").json()["incidents"]
        log.append(
            f"{when:%m-%d %H:%M} {run_id} {status.value}: incident #{incident['id']} "
            f"{incident['status']}, acked_until={(incident['acked_until'] or '-')[:16]}"
            f", silenced_by={incident['silenced_by']}; Slack has {len(app.posts)} "
            "message(s)"
        )
        return incident

    incident = step("r1", now - timedelta(days=2))
    opening = app.posts[0]
    buttons = opening["blocks"][-1]["elements"]
    assert [b["text"]["text"] for b in buttons] == [
        "Acknowledge", "Snooze 1 h", "Snooze 1 day", "Open the report",
    ]  # fmt: skip
    body, headers = signed(click(buttons[1], response_url=response_url))
    answer = http.post("/api/v1/slack/actions", content=body, headers=headers)
    assert answer.status_code == 200, answer.text
    log.append(f"Slack button 'Snooze 1 h': {answer.json()['text']}")
    assert answer.json()["text"].startswith(
        "ana (Slack) acknowledged churn incident(s) #"
    )
    assert seen[0]["response_type"] == "ephemeral"
    shown = http.get(f"/api/v1/incidents/{incident['id']}").json()["incident"]
    assert shown["acknowledged"] is True
    assert shown["acked_by"] == "ana (Slack)"

    step("r2", now + timedelta(minutes=30))
    note = app.posts[1]  # the acknowledgement, told in the incident's thread
    assert note["text"].startswith("ACKNOWLEDGED churn run r1: by ana (Slack), until ")
    assert note["thread_ts"] == "1700000001.000100"
    assert len(app.posts) == 2  # a reminder is due, but acknowledged
    step("r3", now + timedelta(hours=2))
    reminder = app.posts[2]
    assert reminder["text"].startswith("STILL FAILING")
    assert reminder["thread_ts"] == "1700000001.000100"  # in the incident's thread
    made = http.post(
        "/api/v1/silences",
        json={"model": "churn", "check_id": "feature-*", "for": "2d",
              "reason": "reindexing the feature store", "by": "bo"},
        headers=AUTH,
    )  # fmt: skip
    assert made.status_code == 201, made.text
    silence = made.json()["silence"]
    log.append(f"silence #{silence['id']} churn/feature-* for 2d: {silence['reason']}")
    incident = step("r4", now + timedelta(hours=27))
    assert incident["silenced_by"] == silence["id"]
    assert len(app.posts) == 3  # a reminder is due, but silenced
    incident = step("r5", now + timedelta(hours=28), Status.PASSED)
    assert incident["status"] == "resolved"
    resolution = app.posts[3]
    assert resolution["thread_ts"] == "1700000001.000100"
    log += [
        f"  Slack: {p['text'].splitlines()[0]}" + (" (in thread)" * ("thread_ts" in p))
        for p in app.posts
    ]
    print("\n".join(["", *log]))


def test_write_endpoints_need_the_write_token_and_say_what_is_wrong(http, store_url):
    with Store(store_url) as store:
        store.save_run(report("r1", datetime.now(timezone.utc)), alerts=AlertPolicy(()))
    assert http.post("/api/v1/incidents/1/ack", json={"by": "x"}).status_code == 401
    missing = http.post("/api/v1/incidents/9/ack", json={"by": "ana"}, headers=AUTH)
    assert missing.status_code == 404
    assert missing.json()["error"] == (
        "no incident #9; `modelhealth alerts incidents` lists them"
    )
    bad = http.post(
        "/api/v1/incidents/1/ack", json={"by": "ana", "for": "soon"}, headers=AUTH
    )
    assert bad.status_code == 400
    assert bad.json()["error"].startswith("for: invalid duration 'soon'")
    ok = http.post(
        "/api/v1/incidents/1/ack", json={"by": "ana", "for": "2h"}, headers=AUTH
    )
    assert ok.json()["incident"]["acknowledged"] is True
    back = http.post("/api/v1/incidents/1/unack", headers=AUTH)
    assert back.json()["incident"]["acked_by"] is None
    again = http.post("/api/v1/incidents/1/unack", headers=AUTH)
    assert (again.status_code, again.json()["error"]) == (
        400, "incident #1 is not acknowledged",
    )  # fmt: skip
    body = {"model": "churn", "reason": "deploy", "by": "bo"}
    assert http.post("/api/v1/silences", json=body, headers=AUTH).json()["error"] == (
        "give one of for (a duration) or until (a time)"
    )
    past = {**body, "until": "2020-01-01T00:00:00"}
    assert (
        "which has passed"
        in http.post("/api/v1/silences", json=past, headers=AUTH).json()["error"]
    )
    made = http.post("/api/v1/silences", json={**body, "for": "1h"}, headers=AUTH)
    assert made.status_code == 201
    twice = http.post("/api/v1/silences", json={**body, "for": "1h"}, headers=AUTH)
    assert twice.json()["error"].startswith("silence #1 already covers churn until")
    assert [s["id"] for s in http.get("/api/v1/silences").json()["silences"]] == [1]
    assert http.post("/api/v1/silences/1/end", headers=AUTH).status_code == 200
    assert http.get("/api/v1/silences").json()["silences"] == []
    assert http.post("/api/v1/silences/1/end", headers=AUTH).status_code == 400
    assert http.post("/api/v1/silences/7/end", headers=AUTH).status_code == 404


def test_slack_actions_refuse_bad_or_stale_signatures(http):
    payload = {"type": "block_actions", "actions": []}
    for body, headers in (
        signed(payload, secret="not-the-secret"),
        signed(payload, age=600),
        (urlencode({"payload": "{}"}), {"X-Slack-Request-Timestamp": "soon"}),
        (urlencode({"payload": "{}"}), {}),
    ):
        answer = http.post("/api/v1/slack/actions", content=body, headers=headers)
        assert answer.status_code == 401, answer.text
        assert (
            answer.json()["error"] == "the Slack signature is missing, wrong or stale"
        )


def test_slack_actions_without_a_secret_are_refused(serve, settings):
    served = serve(settings)
    body, headers = signed({"type": "block_actions"})
    answer = httpx.post(
        served.url + "/api/v1/slack/actions", content=body, headers=headers
    )
    assert answer.status_code == 401
    assert "SLACK_SIGNING_SECRET is not set" in answer.json()["error"]


def test_a_button_for_a_resolved_or_unknown_incident_says_so(http, store_url):
    value = json.dumps({"model": "churn", "keys": ["feature-drift[spend]"]})
    button = {"action_id": "modelhealth_ack", "value": value}
    body, headers = signed(click(button))
    answer = http.post("/api/v1/slack/actions", content=body, headers=headers)
    assert answer.json()["text"] == (
        "no open incident of 'churn' for feature-drift[spend]; "
        "it has resolved or was deleted"
    )
    for junk in (
        click({"action_id": "modelhealth_ack", "value": "[1, 2]"}),
        click({"action_id": "modelhealth_report", "value": ""}),
        {"type": "view_submission"},
    ):
        body, headers = signed(junk)
        answer = http.post("/api/v1/slack/actions", content=body, headers=headers)
        assert answer.status_code == 200
        assert answer.json()["ok"] is True
