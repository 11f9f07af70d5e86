"""The scheduler's on-call work, with real intervals, a real Slack-like server and
``/metrics`` scraped over real HTTP: a silence's end is told at once, stale
incidents close, and each job's last success and the leader are metrics (issue 14).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from modelhealth.checks.base import CheckResult, Status
from modelhealth.report import RunReport
from modelhealth.rules.models import Severity
from modelhealth.run.policy import alert_policy
from modelhealth.service.rulesdir import RulesDir
from modelhealth.service.scheduler import run_scheduler
from modelhealth.store import Store
from tests.alerts.servers import Loopback, SlackServer, running
from tests.monitor.service.conftest import FAST, wait_until

QUICK = replace(FAST, silences_every=0.2, stale_every=0.2)

RULES = """\
version: 1
model: churn
checks:
  - {{id: feature-drift, kind: drift, columns: [spend], severity: critical}}
alerts:
  - {{channel: slack, to: "#ml-oncall", token_env: SLACK_BOT_TOKEN,
      api_url: "{api}", renotify_after: 1d}}
"""


class Scheduler:
    """``run_scheduler`` in a thread with quick sweeps; ``stop()`` joins it."""

    def __init__(self, store: Store, rules: RulesDir, url: str) -> None:
        self.stop_event = threading.Event()
        self.thread = threading.Thread(
            target=run_scheduler,
            args=(store, rules, url, self.stop_event),
            kwargs={"options": QUICK},
        )
        self.thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(timeout=20)
        assert not self.thread.is_alive()


@pytest.fixture
def slack(monkeypatch, rules_dir: Path):
    app = SlackServer()
    with running(Loopback(app.respond)) as server:
        monkeypatch.setenv("SLACK_BOT_TOKEN", app.token)
        (rules_dir / "churn.yaml").write_text(RULES.format(api=server.url + "/api/"))
        yield app


@pytest.fixture
def scheduler(store: Store, db_url: str):
    started: list[Scheduler] = []

    def start(rules: RulesDir) -> Scheduler:
        started.append(Scheduler(store, rules, db_url))
        return started[-1]

    yield start
    for s in started:
        if s.thread.is_alive():
            s.stop()


def failing(run_id: str, when: datetime) -> RunReport:
    r = CheckResult(
        "feature-drift", "drift", "spend", Status.FAILED, severity=Severity.CRITICAL,
        value=0.31, threshold={"fail": 0.25}, started_at=when, finished_at=when,
    )  # fmt: skip
    return RunReport("churn", run_id, (r,), {}, 10, when, when)


def test_what_a_silence_held_back_is_sent_when_it_ends(
    slack, store: Store, rules_dir: Path, scheduler
) -> None:
    rules = RulesDir([rules_dir])
    rule_set = rules.get("churn")
    assert rule_set is not None
    now = datetime.now(timezone.utc)
    store.add_silence(
        "churn", starts_at=now - timedelta(seconds=1), now=now,
        ends_at=now + timedelta(seconds=2), reason="deploy", by="bo",
    )  # fmt: skip
    store.save_run(failing("r1", now), alerts=alert_policy(rule_set, None))
    assert store.incidents()[0].silenced_by is not None
    scheduler(rules)
    time.sleep(1.0)
    assert slack.posts == []  # the silence still holds
    wait_until(lambda: slack.posts, timeout=10, what="the held message")
    told = time.monotonic()
    assert datetime.now(timezone.utc) - now < timedelta(seconds=6)
    time.sleep(1.5)  # several more sweeps
    assert [p["text"].splitlines()[0] for p in slack.posts] == [
        "CRITICAL churn run r1: 1 failed"
    ], f"told {time.monotonic() - told:.1f} s ago"
    (incident,) = store.incidents()
    assert (incident.silenced_by, incident.notifications) == (None, 1)


def test_the_scheduler_closes_stale_incidents_with_one_message(
    slack, store: Store, rules_dir: Path, scheduler, tmp_path: Path, monkeypatch
) -> None:
    service = tmp_path / "modelhealth.yaml"
    service.write_text("version: 1\nincidents:\n  stale_after: 7d\n")
    monkeypatch.setenv("MODELHEALTH_CONFIG", str(service))
    rules = RulesDir([rules_dir])
    rule_set = rules.get("churn")
    assert rule_set is not None
    long_ago = datetime.now(timezone.utc) - timedelta(days=8)
    store.save_run(failing("r1", long_ago), alerts=alert_policy(rule_set, None))
    scheduler(rules)
    wait_until(lambda: len(slack.posts) >= 2, timeout=10, what="the stale message")
    time.sleep(1.0)
    heads = [p["text"].splitlines()[0] for p in slack.posts]
    assert len(heads) == 2, heads
    assert heads[1].startswith(
        "CLOSED AS STALE churn run r1: closed, no run has evaluated it since"
    )
    assert slack.posts[1]["thread_ts"] == "1700000001.000100"
    (incident,) = store.incidents()
    assert incident.status == "stale"


def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    body = httpx.get(url + "/metrics", timeout=10).text
    out = {}
    for family in text_string_to_metric_families(body):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def test_each_job_s_last_success_and_the_leader_are_metrics(
    serve, settings, store: Store, db_url: str, rules_dir: Path, scheduler
) -> None:
    served = serve(settings, db_url=db_url)
    me = (("holder", f"{socket.gethostname()}:{os.getpid()}"),)
    before = scrape(served.url)
    assert not [k for k in before if k[0] == "modelhealth_scheduler_leader"]
    started = time.time()
    running_ = scheduler(RulesDir([rules_dir]))

    def jobs_seen() -> bool:
        got = scrape(served.url)
        return (
            all(
                ("modelhealth_job_last_success_timestamp_seconds", (("job", j),)) in got
                for j in ("local:reload", "local:silences", "local:stale")
            )
            and got.get(("modelhealth_scheduler_leader", me)) == 1
        )

    wait_until(jobs_seen, timeout=15, what="job and leader metrics")
    got = scrape(served.url)
    last = got[
        ("modelhealth_job_last_success_timestamp_seconds", (("job", "local:reload"),))
    ]
    assert started - 1 <= last <= time.time() + 1
    beat = got[("modelhealth_scheduler_leader_heartbeat_timestamp_seconds", me)]
    assert started - 1 <= beat <= time.time() + 1
    running_.stop()
    after = scrape(served.url)
    # it stepped down; the jobs' last successes remain
    assert not [k for k in after if k[0] == "modelhealth_scheduler_leader"]
    assert ("modelhealth_job_last_success_timestamp_seconds",
            (("job", "local:reload"),)) in after  # fmt: skip
